using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Export;
using Pipeline.Models;
using Pipeline.Tests.Inference;

namespace Pipeline.Tests.Export;

public sealed class OnnxClassifierExporterTests(ResNet18Fixture resnet) : IClassFixture<ResNet18Fixture>
{
    private static (float[] W, float[] B) RandomHead(int k, int d, int seed)
    {
        var random = new Random(seed);
        var w = Enumerable.Range(0, k * d).Select(_ => (float)(random.NextDouble() - 0.5) * 0.2f).ToArray();
        var b = Enumerable.Range(0, k).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        return (w, b);
    }

    // softmax(W·f + b) in double, the reference the exported graph must reproduce.
    private static double[] Softmax(ReadOnlySpan<float> f, float[] w, float[] b)
    {
        var k = b.Length;
        var logits = new double[k];
        for (var c = 0; c < k; c++)
        {
            double sum = b[c];
            for (var j = 0; j < f.Length; j++)
            {
                sum += (double)w[c * f.Length + j] * f[j];
            }

            logits[c] = sum;
        }

        var max = logits.Max();
        var exp = logits.Select(l => Math.Exp(l - max)).ToArray();
        var total = exp.Sum();
        return exp.Select(e => e / total).ToArray();
    }

    private static float[] RunExported(byte[] model, string inputName, float[] input, long[] shape, out IReadOnlyDictionary<string, string> metadata)
    {
        using var session = new InferenceSession(model);
        metadata = session.ModelMetadata.CustomMetadataMap;
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var outputs = session.Run(new RunOptions(), [inputName], [value], [OnnxClassifierExporter.ProbabilitiesOutput]);
        Assert.Equal([shape[0], 3L], outputs[0].GetTensorTypeAndShape().Shape);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    [Fact]
    public void Export_ResNet18_ProbabilitiesEqualSoftmaxOfLinearHeadOnExtractedFeatures()
    {
        var spec = resnet.Model.Spec;
        var (w, b) = RandomHead(3, 512, seed: 7);
        string[] classes = ["cat", "dog", "eel"];

        var exported = OnnxClassifierExporter.Export(spec, resnet.Model.OnnxPath, w, b, classes);

        var input = resnet.Images.SelectMany(x => x).ToArray();
        var probabilities = RunExported(exported, "Input247", input, [3, 3, 224, 224], out var metadata);
        using var batch = resnet.Extractor.CreateBatch();
        batch.Count = 3;
        for (var i = 0; i < 3; i++)
        {
            resnet.Images[i].CopyTo(batch.Slot(i));
        }

        resnet.Extractor.Run(batch);
        for (var i = 0; i < 3; i++)
        {
            var expected = Softmax(batch.Features(i), w, b);
            // Probabilities in [0,1] from float32 sums over 512 terms: 1e-5 absolute.
            for (var c = 0; c < 3; c++)
            {
                Assert.Equal(expected[c], probabilities[i * 3 + c], 1e-5);
            }
        }

        Assert.Equal(classes, JsonSerializer.Deserialize<string[]>(metadata[OnnxClassifierExporter.ClassesKey]));
        Assert.Equal("resnet18", metadata[OnnxClassifierExporter.ModelKey]);
        Assert.Contains("normalization=mean-image", metadata[OnnxClassifierExporter.PreprocessingKey]);
    }

    [Fact]
    public void Export_TinyClassifier_MatchesTorchFeaturesThroughHead()
    {
        var tiny = TinyClassifierFixture.Load();
        var (w, b) = RandomHead(3, 4, seed: 3);

        var exported = OnnxClassifierExporter.Export(tiny.Spec(FeaturePooling.GlobalAverage), TinyClassifierFixture.FixedBatchModel, w, b, ["a", "b", "c"]);

        var probabilities = RunExported(exported, tiny.InputName, tiny.Input, [2, 3, 8, 8], out _);
        for (var i = 0; i < 2; i++)
        {
            var expected = Softmax(tiny.GlobalAverage.AsSpan(i * 4, 4), w, b);
            for (var c = 0; c < 3; c++)
            {
                Assert.Equal(expected[c], probabilities[i * 3 + c], 1e-5);
            }
        }
    }

    [Fact]
    public void Export_FileNotOnnx_ThrowsModelZooExceptionNamingTheFile()
    {
        var tiny = TinyClassifierFixture.Load();
        using var folder = new TempFolder();
        var file = folder.Write("tiny.onnx", "not an ONNX model"u8.ToArray());

        var e = Assert.Throws<ModelZooException>(() =>
            OnnxClassifierExporter.Export(tiny.Spec(FeaturePooling.GlobalAverage), file, new float[12], new float[3], ["a", "b", "c"]));

        Assert.StartsWith($"'{file}' is not an ONNX model (", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_CoefficientCountMismatch_NamesShapes()
    {
        var tiny = TinyClassifierFixture.Load();

        var e = Assert.Throws<ArgumentException>(() =>
            OnnxClassifierExporter.Export(tiny.Spec(FeaturePooling.GlobalAverage), TinyClassifierFixture.DynamicBatchModel, new float[10], new float[3], ["a", "b", "c"]));

        Assert.Contains("coefficients has 10 values; 3 classes × 4 features (model 'tiny') need 12", e.Message);
    }
}
