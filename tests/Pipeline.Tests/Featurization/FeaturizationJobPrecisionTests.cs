using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Sources;

namespace Pipeline.Tests.Featurization;

/// <summary>An int8 run through the real job: calibration, the cache beside the model, the precision in the store.</summary>
public sealed class FeaturizationJobPrecisionTests
{
    private static FeaturizationOptions Int8Options => TestFeaturization.Options with
    {
        Inference = TestFeaturization.Options.Inference with { Precision = FeaturePrecision.Int8 },
        CalibrationImages = 4,
    };

    [Fact]
    public async Task RunAsync_Int8_CalibratesOnceCachesBesideTheModelAndRecordsThePrecision()
    {
        using var work = new TempFolder();
        var input = Path.Combine(work.Path, "images");
        GeneratedImages.WriteFolder(input, 6, "a", "b");
        var (models, onnx) = CopyOfModel(work);
        var model = TestFeaturization.ResNet18 with { OnnxPath = onnx };
        var source = await ImageSourceFactory.OpenAsync(input);

        var first = await FeaturizationJob.RunAsync(source, model, Path.Combine(work.Path, "s1"), Int8Options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);
        var cache = Assert.Single(Directory.GetFiles(models, "resnet18.int8-*.onnx"));
        var written = File.GetLastWriteTimeUtc(cache);
        await FeaturizationJob.RunAsync(source, model, Path.Combine(work.Path, "s2"), Int8Options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);

        Assert.Equal(6, first.Featurized);
        Assert.Equal(cache, Assert.Single(Directory.GetFiles(models, "resnet18.int8-*.onnx")));
        Assert.Equal(written, File.GetLastWriteTimeUtc(cache));
        var one = await (await FeatureStoreReader.OpenAsync(Path.Combine(work.Path, "s1"))).ReadAllAsync();
        var two = await (await FeatureStoreReader.OpenAsync(Path.Combine(work.Path, "s2"))).ReadAllAsync();
        Assert.Equal(FeaturePrecision.Int8, one.Metadata.Precision);
        // The same cached model on the same images gives the same features, bit for bit.
        Assert.Equal(one.Features, two.Features);

        // Resuming the int8 store in fp32 would mix two featurizers in one store.
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => FeaturizationJob.RunAsync(
            source, model, Path.Combine(work.Path, "s1"), TestFeaturization.Options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None));
        Assert.Contains("pipeline.precision", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Int8WithLayersInAnotherOrder_QuantizesAnotherGraphAndKeepsTheColumnsInThatOrder()
    {
        using var work = new TempFolder();
        var input = Path.Combine(work.Path, "images");
        GeneratedImages.WriteFolder(input, 4, "a", "b");
        var (models, onnx) = CopyOfModel(work);
        var source = await ImageSourceFactory.OpenAsync(input);
        var sets = new List<FeatureSet>();
        foreach (var layers in new[] { new[] { "stage3", "stage4" }, ["stage4", "stage3"] })
        {
            var model = TestFeaturization.ResNet18 with { OnnxPath = onnx, Spec = TestFeaturization.ResNet18.Spec.WithLayers(layers) };
            var store = Path.Combine(work.Path, string.Join("-", layers));
            await FeaturizationJob.RunAsync(source, model, store, Int8Options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);
            sets.Add(await (await FeatureStoreReader.OpenAsync(store)).ReadAllAsync());
        }

        Assert.Equal(2, Directory.GetFiles(models, "resnet18.int8-*.onnx").Length);
        var (forward, backward) = (sets[0], sets[1]);
        Assert.Equal(256 + 512, forward.Dimension);
        for (var row = 0; row < forward.Count; row++)
        {
            var path = forward.Paths[row];
            var other = backward.Paths.ToList().IndexOf(path);
            AssertClose(forward.GetFeatures(row)[..256], backward.GetFeatures(other)[512..]);
            AssertClose(forward.GetFeatures(row)[256..], backward.GetFeatures(other)[..512]);
        }
    }

    /// <summary>A copy of ResNet18 in a folder of its own, so the cache it writes beside itself is this test's own.</summary>
    private static (string Folder, string Onnx) CopyOfModel(TempFolder work)
    {
        var models = Directory.CreateDirectory(Path.Combine(work.Path, "models")).FullName;
        var onnx = Path.Combine(models, "resnet18.onnx");
        File.Copy(TestFeaturization.ResNet18.OnnxPath, onnx);
        return (models, onnx);
    }

    /// <summary>The same layer from two graphs that differ only in their output order: the same features up to float noise.</summary>
    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-4f);
        }
    }
}
