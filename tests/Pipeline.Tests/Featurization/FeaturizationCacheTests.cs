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
    [InlineData("preprocessing", "other preprocessing (")]
    [InlineData("classes", "other classes (cat, dog, eel)")]
    [InlineData("sha", "model resnet18 (ONNX SHA-256 0123456789ab…")]
    [InlineData("node", "node Pooling395_Output_0)")]
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

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => FeaturizationCache.LoadAsync(store.Path, other, CancellationToken.None));

        Assert.StartsWith($"The output folder '{store.Path}' already holds features of ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    private static async Task<TempFolder> WriteStoreAsync(int rows)
    {
        var store = new TempFolder();
        await using var writer = await FeatureStoreWriter.CreateAsync(store.Path, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None);
        await SyntheticFeatures.WriteRowsAsync(writer, 0, rows, batch: rows);
        return store;
    }
}
