using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Sources;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Featurization;

public sealed class FeaturizationCacheTests
{
    private const int Dimension = 4;

    [Fact]
    public async Task LoadAsync_SameFeaturizer_HoldsEveryStoredKey()
    {
        using var store = await WriteStoreAsync(rows: 3);

        var cache = await FeaturizationCache.LoadAsync(store.Path, SyntheticFeatures.Metadata(Dimension), CancellationToken.None);

        Assert.Equal(3, cache.Count);
        var stored = SyntheticFeatures.Record(1);
        var image = new LabelledImage(0, stored.Path, stored.Label, stored.LabelIndex) { FileBytes = stored.FileBytes, FileModifiedUnixMs = stored.FileModifiedUnixMs };
        Assert.True(cache.Contains(image));
        Assert.False(cache.Contains(image with { FileModifiedUnixMs = stored.FileModifiedUnixMs + 1 }));
    }

    [Theory]
    [InlineData("preprocessing", "pipeline.preprocessing 'stretch 224x224; BGR; mean-subtract ImageNet; NCHW' instead of 'stretch 299x299'")]
    [InlineData("classes", "pipeline.classes [cat, dog, eel] instead of [cat, dog]")]
    [InlineData("sha", "pipeline.model_sha256 0123456789ab… (resnet18) instead of ffffffffffff… (resnet18)")]
    [InlineData("node", "pipeline.feature_node 'Pooling395_Output_0' instead of 'other_node'")]
    public async Task LoadAsync_OtherFeaturizer_ThrowsNamingTheFolderAndTheDifference(string differs, string expected)
    {
        using var store = await WriteStoreAsync(rows: 1);
        var metadata = SyntheticFeatures.Metadata(Dimension);
        var other = differs switch
        {
            "preprocessing" => metadata with { Preprocessing = "stretch 299x299" },
            "classes" => metadata with { Classes = ["cat", "dog"] },
            "sha" => metadata with { ModelSha256 = new string('f', 64) },
            _ => metadata with { FeatureNode = "other_node" },
        };

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => FeaturizationCache.LoadAsync(store.Path, other, CancellationToken.None));

        Assert.Equal(
            $"The output folder '{store.Path}' was featurized by another featurizer than this run: it has {expected}; featurize into a new folder or delete it.",
            e.Message);
    }

    private static async Task<TempFolder> WriteStoreAsync(int rows)
    {
        var store = new TempFolder();
        await using var writer = await FeatureStoreWriter.CreateAsync(store.Path, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None);
        await SyntheticFeatures.WriteRowsAsync(writer, 0, rows, batch: rows);
        return store;
    }
}
