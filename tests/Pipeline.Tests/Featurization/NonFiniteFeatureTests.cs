using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Onnx;
using Pipeline.Decoding;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Models;
using Pipeline.Sources;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Pipeline.Tests.Featurization;

/// <summary>
/// An image the model gives a NaN feature is that image's reject, as a corrupt file is: the run
/// stores the others, and training is not left with a store it must refuse whole.
/// </summary>
public sealed class NonFiniteFeatureTests : IDisposable
{
    private const int Size = 8;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task RunAsync_ModelGivesOneImageNaNFeatures_RejectsThatImageAndStoresTheRest()
    {
        var root = Path.Combine(_folder.Path, "images");
        var white = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            white.Add(WriteSolidPng(Path.Combine(root, i % 2 == 0 ? "a" : "b", $"white{i}.png"), new Rgb24(255, 255, 255)));
        }

        var black = WriteSolidPng(Path.Combine(root, "b", "black.png"), new Rgb24(0, 0, 0));
        var output = Path.Combine(_folder.Path, "store");

        var summary = await FeaturizationJob.RunAsync(
            new FolderImageSource(root), LogModel(), output, TestFeaturization.Options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);

        var store = await FeatureStoreReader.OpenAsync(output);
        var stored = await store.ReadAllAsync();
        Assert.Equal(white.Order(StringComparer.Ordinal), stored.Paths.Order(StringComparer.Ordinal));
        Assert.All(stored.Features, f => Assert.True(float.IsFinite(f)));
        var reject = Assert.Single(await RejectsReader.ReadAsync(output));
        Assert.Equal(new Reject(black, RejectStages.Features, "Feature 0 of the model's output is NaN; an image whose features are not finite cannot be classified or trained on."), reject);
        Assert.Equal((6, 1), (summary.Featurized, summary.Rejected));
    }

    private static string WriteSolidPng(string path, Rgb24 colour)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var image = new Image<Rgb24>(Size, Size, colour);
        image.SaveAsPng(path);
        return Path.GetFullPath(path);
    }

    /// <summary>
    /// A one-node model whose feature map is the log of its normalised input: finite for a white
    /// image, NaN for a black one, whose pixels normalise below zero.
    /// </summary>
    private ResolvedModel LogModel()
    {
        var input = new ValueInfoProto { Name = "input", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() } } };
        foreach (var dim in new[] { 1, 3, Size, Size })
        {
            input.Type.TensorType.Shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = dim });
        }

        var graph = new GraphProto { Name = "log" };
        graph.Input.Add(input);
        graph.Node.Add(new NodeProto { OpType = "Log", Name = "log", Input = { "input" }, Output = { "logged" } });
        graph.Output.Add(new ValueInfoProto { Name = "logged" });
        var model = new ModelProto { IrVersion = 8, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        var file = Path.Combine(_folder.Path, "log.onnx");
        File.WriteAllBytes(file, model.ToByteArray());

        var spec = new ModelSpec(
            "log", "log.onnx", false, "input", Size, TensorLayout.Nchw, ChannelOrder.Rgb, Normalization.Torch,
            null, ResizeRule.Stretch, "logged", [3, Size, Size], FeaturePooling.GlobalAverage, "NonFiniteFeatureTests");
        return new ResolvedModel(spec, file, null);
    }
}
