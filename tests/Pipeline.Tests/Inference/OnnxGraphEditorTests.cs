using Pipeline.Inference;
using Pipeline.Models;

namespace Pipeline.Tests.Inference;

public sealed class OnnxGraphEditorTests
{
    // Float32 conv + mean on an 8x8 map, same kernels as torch: differences are rounding (~1e-7).
    private const double Tolerance = 1e-5;

    private static readonly TinyClassifierFixture Tiny = TinyClassifierFixture.Load();

    private static float[] Featurize(string model, FeaturePooling pooling, int batchSize)
    {
        using var extractor = new FeatureExtractor(Tiny.Spec(pooling), model, new InferenceOptions { Device = InferenceDevice.Cpu, BatchSize = batchSize });
        using var batch = extractor.CreateBatch();
        var features = new List<float>();
        for (var start = 0; start < Tiny.Images; start += batchSize)
        {
            batch.Count = Math.Min(batchSize, Tiny.Images - start);
            for (var i = 0; i < batch.Count; i++)
            {
                Tiny.Input.AsSpan((start + i) * Tiny.ImageLength, Tiny.ImageLength).CopyTo(batch.Slot(i));
            }

            extractor.Run(batch);
            features.AddRange(batch.AllFeatures.ToArray());
        }

        return [.. features];
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], Tolerance);
        }
    }

    [Fact]
    public void ToFeaturizer_GlobalAverage_ExposesInnerReluAndPoolsPerChannel()
    {
        var features = Featurize(TinyClassifierFixture.DynamicBatchModel, FeaturePooling.GlobalAverage, batchSize: 2);

        Assert.Equal(2 * 4, features.Length);
        AssertClose(Tiny.GlobalAverage, features);
    }

    [Fact]
    public void ToFeaturizer_NoPooling_FlattensMapInNchwOrder()
    {
        var features = Featurize(TinyClassifierFixture.DynamicBatchModel, FeaturePooling.None, batchSize: 2);

        Assert.Equal(2 * 4 * 8 * 8, features.Length);
        AssertClose(Tiny.Flatten, features);
    }

    [Fact]
    public void ToFeaturizer_FixedBatchOfOne_RunsBatchOfTwo()
    {
        var features = Featurize(TinyClassifierFixture.FixedBatchModel, FeaturePooling.GlobalAverage, batchSize: 2);

        AssertClose(Tiny.GlobalAverage, features);
    }

    [Fact]
    public void ToFeaturizer_ShortLastBatch_RunsOnlyTheFilledSlots()
    {
        var features = Featurize(TinyClassifierFixture.DynamicBatchModel, FeaturePooling.GlobalAverage, batchSize: 3);

        AssertClose(Tiny.GlobalAverage, features);
    }

    [Fact]
    public void ToFeaturizer_FeatureNodeNotOutput_PrunesClassifierAndKeepsOneOutput()
    {
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(TinyClassifierFixture.DynamicBatchModel));
        Assert.DoesNotContain(model.Graph.Output, o => o.Name == Tiny.FeatureNode);

        OnnxGraphEditor.ToFeaturizer(model, Tiny.Spec(FeaturePooling.GlobalAverage), "tiny");

        Assert.Equal([OnnxGraphEditor.FeatureOutput], model.Graph.Output.Select(o => o.Name));
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Gemm");
        Assert.DoesNotContain(model.Graph.Initializer, t => t.Name.StartsWith("fc.", StringComparison.Ordinal));
    }

    [Fact]
    public void ToFeaturizer_FixedBatch_MakesBatchAxisSymbolic()
    {
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(TinyClassifierFixture.FixedBatchModel));
        Assert.Equal(1, model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimValue);

        OnnxGraphEditor.ToFeaturizer(model, Tiny.Spec(FeaturePooling.GlobalAverage), "tiny");

        Assert.Equal("N", model.Graph.Input[0].Type.TensorType.Shape.Dim[0].DimParam);
    }

    [Fact]
    public void ToFeaturizer_UnknownFeatureNode_NamesFileAndNode()
    {
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(TinyClassifierFixture.DynamicBatchModel));

        var e = Assert.Throws<ModelZooException>(() =>
            OnnxGraphEditor.ToFeaturizer(model, Tiny.Spec(FeaturePooling.GlobalAverage) with { FeatureNode = "/layer9/Relu_output_0" }, "tiny.onnx"));

        Assert.Contains("'tiny.onnx' has no tensor '/layer9/Relu_output_0'", e.Message);
    }

    [Fact]
    public void ToFeaturizer_WrongInputSize_NamesInputAndShapes()
    {
        var model = Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(TinyClassifierFixture.FixedBatchModel));

        var e = Assert.Throws<ModelZooException>(() =>
            OnnxGraphEditor.ToFeaturizer(model, Tiny.Spec(FeaturePooling.GlobalAverage) with { InputSize = 16 }, "tiny.onnx"));

        Assert.Contains("Input 'input' of 'tiny.onnx' has shape [1,3,8,8]", e.Message);
    }
}
