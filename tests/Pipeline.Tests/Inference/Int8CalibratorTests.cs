using System.Globalization;
using Onnx;
using Pipeline.Decoding;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Sources;
using Pipeline.Tests.Runs;

namespace Pipeline.Tests.Inference;

public sealed class Int8CalibratorTests(ResNet18Fixture resnet) : IClassFixture<ResNet18Fixture>
{
    /// <summary>Quantizes with the sample as calibration, then featurizes it with fp32 and int8 extractors.</summary>
    private static (float[][] Fp32, float[][] Int8, ModelProto Quantized) Compare(ModelSpec spec, string onnxPath, float[][] images)
    {
        using var folder = new TempFolder();
        byte[] quantized;
        using (var calibrator = new Int8Calibrator(spec, onnxPath, batchSize: 2, intraOpThreads: 1))
        {
            for (var start = 0; start < images.Length; start += calibrator.BatchSize)
            {
                var count = Math.Min(calibrator.BatchSize, images.Length - start);
                for (var i = 0; i < count; i++)
                {
                    images[start + i].CopyTo(calibrator.Slot(i));
                }

                calibrator.Observe(count);
            }

            Assert.Equal(images.Length, calibrator.Observed);
            quantized = calibrator.Quantize();
        }

        var path = Path.Combine(folder.Path, "model.int8.onnx");
        File.WriteAllBytes(path, quantized);
        return (
            Featurize(spec, onnxPath, images, new InferenceOptions { Device = InferenceDevice.Cpu, BatchSize = images.Length }, null),
            Featurize(spec, onnxPath, images, new InferenceOptions { Device = InferenceDevice.Cpu, BatchSize = images.Length, Precision = FeaturePrecision.Int8 }, path),
            ModelProto.Parser.ParseFrom(quantized));
    }

    private static float[][] Featurize(ModelSpec spec, string onnxPath, float[][] images, InferenceOptions options, string? quantizedPath)
    {
        using var extractor = new FeatureExtractor(spec, onnxPath, options, quantizedPath: quantizedPath);
        using var batch = extractor.CreateBatch();
        batch.Count = images.Length;
        for (var i = 0; i < images.Length; i++)
        {
            images[i].CopyTo(batch.Slot(i));
        }

        extractor.Run(batch);
        return [.. Enumerable.Range(0, images.Length).Select(i => batch.Features(i).ToArray())];
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            na += a[i] * (double)a[i];
            nb += b[i] * (double)b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    [Fact]
    public void Quantize_TinyClassifier_LoadsInOrtAndMatchesFp32WithinQuantizationError()
    {
        var fixture = TinyClassifierFixture.Load();
        var images = Enumerable.Range(0, fixture.Images).Select(i => fixture.Input.AsSpan(i * fixture.ImageLength, fixture.ImageLength).ToArray()).ToArray();

        var (fp32, int8, graph) = Compare(fixture.Spec(FeaturePooling.GlobalAverage), TinyClassifierFixture.DynamicBatchModel, images);

        // Conv → Relu became a QDQ Conv whose output quantizer clamps at 0: no Relu left, int8 weights, int32 bias.
        Assert.DoesNotContain(graph.Graph.Node, n => n.OpType == "Relu");
        Assert.Contains(graph.Graph.Node, n => n.OpType == "QuantizeLinear");
        Assert.Contains(graph.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Int8 && t.Dims.Count == 4);
        Assert.Contains(graph.Graph.Initializer, t => t.DataType == (int)TensorProto.Types.DataType.Int32);
        // The input's and the Relu's uint8 steps are range/255; the pooled features of this 4-channel
        // map (values < 1.5) must agree with fp32 to a few steps: 0.02 absolute, and the Relu still holds.
        for (var i = 0; i < images.Length; i++)
        {
            for (var j = 0; j < fp32[i].Length; j++)
            {
                Assert.Equal(fp32[i][j], int8[i][j], 0.02);
                Assert.True(int8[i][j] >= 0);
            }
        }
    }

    /// <summary>One bundled sample digit of each class, preprocessed for ResNet18.</summary>
    private float[][] SampleDigits()
    {
        var decoder = new ImageDecoder();
        var spec = resnet.Model.Spec;
        return [.. Enumerable.Range(0, 10).Select(digit =>
        {
            var file = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "samples", "digits", digit.ToString(CultureInfo.InvariantCulture))).Order(StringComparer.Ordinal).First();
            using var decoded = decoder.Decode(new LabelledImage(digit, file, "d", digit), spec.InputSize, spec.InputSize, spec.Resize).Image!;
            var tensor = new float[spec.ImageLength];
            resnet.Preprocessor.Write(decoded.Pixels, tensor);
            return tensor;
        })];
    }

    [Fact]
    public void Quantize_ResNet18_DigitFeaturesKeepCosineAbove099()
    {
        var (fp32, int8, graph) = Compare(resnet.Model.Spec, resnet.Model.OnnxPath, SampleDigits());

        Assert.DoesNotContain(graph.Graph.Node, n => n.OpType == "BatchNormalization");
        // Every Conv but the stem reads its activation and its weights dequantized (ORT fuses each
        // into a QLinearConv); the stem, reading the image, stays float.
        var dequantized = graph.Graph.Node.Where(n => n.OpType == "DequantizeLinear").Select(n => n.Output[0]).ToHashSet();
        var convs = graph.Graph.Node.Where(n => n.OpType == "Conv").ToList();
        Assert.Equal("Input247", convs[0].Input[0]);
        Assert.DoesNotContain(convs[0].Input[1], dequantized);
        Assert.All(convs.Skip(1), conv => Assert.True(dequantized.Contains(conv.Input[0]) && dequantized.Contains(conv.Input[1]), conv.Name));
        // The bar for the 5000 digits is a mean of 0.99; per image, 0.98 (the 5000-digit run's minimum was 0.985).
        var cosines = fp32.Zip(int8, Cosine).ToArray();
        Assert.True(cosines.Average() > 0.99, $"mean cosine {cosines.Average()}");
        Assert.All(cosines, c => Assert.True(c > 0.98, $"cosine {c}"));
    }

    [Fact]
    public void CacheKey_DependsOnModelAndEverySampleImage()
    {
        var key = Int8Calibrator.CacheKey("abc", "pre", "node", ["a\t1\t2", "b\t3\t4"]);

        Assert.Equal(key, Int8Calibrator.CacheKey("abc", "pre", "node", ["a\t1\t2", "b\t3\t4"]));
        Assert.NotEqual(key, Int8Calibrator.CacheKey("abd", "pre", "node", ["a\t1\t2", "b\t3\t4"]));
        Assert.NotEqual(key, Int8Calibrator.CacheKey("abc", "pre", "node", ["a\t1\t2", "b\t3\t5"]));
        Assert.NotEqual(key, Int8Calibrator.CacheKey("abc", "pre", "node", ["a\t1\t2"]));
    }
}
