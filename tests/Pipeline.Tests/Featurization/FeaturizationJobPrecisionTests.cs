using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Sources;
using Pipeline.Tests.Runs.EndToEnd;

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
        Assert.StartsWith($"The output folder '{Path.Combine(work.Path, "s1")}' holds int8 features and this run featurizes in fp32", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Fp32StoreResumedInInt8_IsRefusedBeforeCalibrating()
    {
        using var work = new TempFolder();
        var input = work.Combine("images");
        GeneratedImages.WriteFolder(input, 4, "a", "b");
        var (models, onnx) = CopyOfModel(work);
        var model = TestFeaturization.ResNet18 with { OnnxPath = onnx };
        var store = work.Combine("s");
        await FeaturizationJob.RunAsync(await ImageSourceFactory.OpenAsync(input), model, store, TestFeaturization.Options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);
        var log = new CapturedLog();
        var source = await ImageSourceFactory.OpenAsync(input);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => FeaturizationJob.RunAsync(
            source, model, store, Int8Options, new FeaturizationCounters(), log.CreateLogger("test"), CancellationToken.None));

        Assert.Equal(
            $"The output folder '{store}' holds fp32 features and this run featurizes in int8: their rows cannot share one store, so run with --precision fp32, featurize into a new folder or delete it.",
            e.Message);
        Assert.Empty(Directory.GetFiles(models, "*.int8-*"));
        Assert.DoesNotContain(log.Messages, m => m.StartsWith("int8", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_Int8ResumeWhoseFirstImagesChanged_ReusesTheStoresGraphAndRefusesOnceItIsGone()
    {
        using var work = new TempFolder();
        var input = work.Combine("images");
        GeneratedImages.WriteFolder(input, 6, "a", "b");
        var (models, onnx) = CopyOfModel(work);
        var model = TestFeaturization.ResNet18 with { OnnxPath = onnx };
        var store = work.Combine("s");
        await FeaturizationJob.RunAsync(await ImageSourceFactory.OpenAsync(input), model, store, Int8Options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);
        var graph = Assert.Single(Directory.GetFiles(models, "resnet18.int8-*.onnx"));
        var recorded = (await FeatureStoreReader.OpenAsync(store)).Metadata.QuantizedGraph;

        // The first image changes, so a calibration on the first images now would give another graph.
        await File.WriteAllBytesAsync(Path.Combine(input, "a", "img-000.png"), GeneratedImages.Png(100));
        var resumed = await FeaturizationJob.RunAsync(await ImageSourceFactory.OpenAsync(input), model, store, Int8Options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);

        Assert.Equal(1, resumed.Featurized);
        Assert.Equal([graph], Directory.GetFiles(models, "resnet18.int8-*.onnx"));
        Assert.Equal(64, recorded.Length);
        Assert.EndsWith($".int8-{recorded[..16]}.onnx", graph, StringComparison.Ordinal);
        // The reader refuses a store whose parts record two graphs.
        var features = await (await FeatureStoreReader.OpenAsync(store)).ReadAllAsync();
        Assert.Equal((6, recorded), (features.Count, features.Metadata.QuantizedGraph));

        File.Delete(graph);
        await File.WriteAllBytesAsync(Path.Combine(input, "a", "img-002.png"), GeneratedImages.Png(101));
        var e = await Assert.ThrowsAsync<FileNotFoundException>(async () => await FeaturizationJob.RunAsync(
            await ImageSourceFactory.OpenAsync(input), model, store, Int8Options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None));

        Assert.Equal(
            $"The output folder '{store}' was featurized with the int8 graph '{Path.GetFileName(graph)}', which is in none of '{models}'; copy that file into one of them, or featurize into a new folder or delete it.",
            e.Message);
        Assert.Empty(Directory.GetFiles(models, "resnet18.int8-*.onnx"));
    }

    [Fact]
    public async Task RunAsync_Int8Shards_FeaturizeWithTheGraphOfTheWholeSourcesFirstImages()
    {
        using var work = new TempFolder();
        var input = work.Combine("images");
        GeneratedImages.WriteFolder(input, 6, "a", "b");
        var (models, onnx) = CopyOfModel(work);
        var model = TestFeaturization.ResNet18 with { OnnxPath = onnx };
        var store = work.Combine("s");

        foreach (var shard in new[] { new Shard(0, 2), new Shard(1, 2) })
        {
            await FeaturizationJob.RunAsync(
                await ImageSourceFactory.OpenAsync(input), model, store, Int8Options with { Shard = shard }, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);
        }

        var graph = Assert.Single(Directory.GetFiles(models, "resnet18.int8-*.onnx"));
        var features = await (await FeatureStoreReader.OpenAsync(store)).ReadAllAsync();
        Assert.Equal(6, features.Count);
        Assert.EndsWith($".int8-{features.Metadata.QuantizedGraph[..16]}.onnx", graph, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Int8WhoseFirstImagesDoNotDecode_CalibratesOnTheNextOnes()
    {
        using var work = new TempFolder();
        var input = work.Combine("images");
        GeneratedImages.WriteFolder(input, 6, "a", "b");
        for (var i = 0; i < 4; i++)
        {
            work.Write(Path.Combine("images", "a", $"0-broken-{i}.png"), "not a png"u8.ToArray());
        }

        var (_, onnx) = CopyOfModel(work);
        var model = TestFeaturization.ResNet18 with { OnnxPath = onnx };
        var log = new CapturedLog();

        var summary = await FeaturizationJob.RunAsync(await ImageSourceFactory.OpenAsync(input), model, work.Combine("s"), Int8Options, new FeaturizationCounters(), log.CreateLogger("test"), CancellationToken.None);

        Assert.Equal((6, 4), (summary.Featurized, summary.Rejected));
        Assert.Contains(log.Messages, m => m.StartsWith("int8: calibrated on 4 images (4 that did not decode skipped)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_Int8SourcesAlikeInTheirFirstImagesButNotInTheImagesThatReplaceTheUndecodable_RecordTwoGraphs()
    {
        using var work = new TempFolder();
        var input = work.Combine("images");
        GeneratedImages.WriteFolder(input, 8, "a");
        for (var i = 0; i < 2; i++)
        {
            work.Write(Path.Combine("images", "a", $"0-broken-{i}.png"), "not a png"u8.ToArray());
        }

        var (models, onnx) = CopyOfModel(work);
        var model = TestFeaturization.ResNet18 with { OnnxPath = onnx };
        await FeaturizationJob.RunAsync(await ImageSourceFactory.OpenAsync(input), model, work.Combine("s1"), Int8Options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);

        // The first 4 entries (2 broken, img-000, img-001) stay; img-002 and img-003, which calibrated
        // in the broken ones' place, change: another sample, so another graph under another key.
        for (var i = 2; i < 4; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(input, "a", $"img-{i:D3}.png"), GeneratedImages.Png(200 + i));
        }

        var log = new CapturedLog();
        await FeaturizationJob.RunAsync(await ImageSourceFactory.OpenAsync(input), model, work.Combine("s2"), Int8Options, new FeaturizationCounters(), log.CreateLogger("test"), CancellationToken.None);

        var one = (await FeatureStoreReader.OpenAsync(work.Combine("s1"))).Metadata.QuantizedGraph;
        var two = (await FeatureStoreReader.OpenAsync(work.Combine("s2"))).Metadata.QuantizedGraph;
        Assert.NotEqual(one, two);
        Assert.Contains(log.Messages, m => m.StartsWith("int8: calibrated on 4 images (2 that did not decode skipped)", StringComparison.Ordinal));
        Assert.Equal(2, Directory.GetFiles(models, "resnet18.int8-*.onnx").Length);

        // The same source again finds its graph under the key that names the replacing images.
        var again = new CapturedLog();
        await FeaturizationJob.RunAsync(await ImageSourceFactory.OpenAsync(input), model, work.Combine("s3"), Int8Options, new FeaturizationCounters(), again.CreateLogger("test"), CancellationToken.None);
        Assert.Equal(two, (await FeatureStoreReader.OpenAsync(work.Combine("s3"))).Metadata.QuantizedGraph);
        Assert.Contains(again.Messages, m => m.StartsWith("int8: using ", StringComparison.Ordinal) && m.EndsWith("quantized before on the same 4 decodable images", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_Int8WhoseImagesNoneDecode_FailsNamingTheSource()
    {
        using var work = new TempFolder();
        for (var i = 0; i < 3; i++)
        {
            work.Write(Path.Combine("images", "a", $"broken-{i}.png"), "not a png"u8.ToArray());
        }

        var (models, onnx) = CopyOfModel(work);
        var source = await ImageSourceFactory.OpenAsync(work.Combine("images"));

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => FeaturizationJob.RunAsync(
            source, TestFeaturization.ResNet18 with { OnnxPath = onnx }, work.Combine("s"), Int8Options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None));

        Assert.Equal($"int8 calibration needs decodable images, and none of the 3 images of {source.Description} decoded; check the source, or featurize in fp32.", e.Message);
        Assert.Empty(Directory.GetFiles(models, "*.int8-*"));
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
