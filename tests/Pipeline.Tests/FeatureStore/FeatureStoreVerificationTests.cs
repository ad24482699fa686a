using Pipeline.FeatureStore;
using Pipeline.Sources;

namespace Pipeline.Tests.FeatureStore;

public sealed class FeatureStoreVerificationTests
{
    private const int Dimension = 4;

    [Fact]
    public async Task RunAsync_CompleteShardedStore_PassesWithItsCounts()
    {
        using var temp = new TempFolder();
        await WriteShardsAsync(temp.Path, 3, commit: [0, 1, 2]);

        var result = await FeatureStoreVerification.RunAsync(temp.Path, CancellationToken.None);

        Assert.Null(result.Problem);
        Assert.Equal((3, 30L, 30L, 0L), (result.ShardCount!.Value, result.Rows, result.DistinctKeys, result.Duplicates));
        Assert.Contains("3 shards, all committed", result.Describe(), StringComparison.Ordinal);

        // Parts written without the shard key scheme (as before it was recorded) cannot be checked, and verify says so.
        var note = Assert.Single(result.Notes);
        Assert.StartsWith("note: 9 sharded parts record no shard key scheme (written before it was recorded), so whether their rows are their shard's was not checked: part-00000-shard-0-of-3.parquet, ", note, StringComparison.Ordinal);
        Assert.EndsWith(note, result.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MissingShard_NamesIt()
    {
        using var temp = new TempFolder();
        await WriteShardsAsync(temp.Path, 3, commit: [0, 2]);

        var result = await FeatureStoreVerification.RunAsync(temp.Path, CancellationToken.None);

        Assert.Equal(
            $"Feature store '{temp.Path}' is incomplete: shard 1/3 has not committed (no _shards/shard-1-of-3.committed); run that shard again.",
            result.Problem);
    }

    [Theory]
    [InlineData("part-00001-shard-5-of-2.parquet")]
    [InlineData("extra.parquet")]
    public async Task RunAsync_ParquetFileThatIsNoPart_NamesIt(string name)
    {
        using var temp = new TempFolder();
        await WriteShardsAsync(temp.Path, 2, commit: [0, 1]);
        var features = temp.Combine("features");
        File.Copy(Path.Combine(features, "part-00000-shard-0-of-2.parquet"), Path.Combine(features, name));

        var result = await FeatureStoreVerification.RunAsync(temp.Path, CancellationToken.None);

        Assert.Equal(
            $"Feature store '{temp.Path}' holds '{Path.Combine(features, name)}', which is no part of it but which a features/*.parquet glob (DuckDB, Spark) would read; move it out of the store.",
            result.Problem);
    }

    [Fact]
    public async Task RunAsync_DuplicateRow_NamesThePathAndBothParts()
    {
        using var temp = new TempFolder();
        await WriteShardsAsync(temp.Path, 2, commit: [0, 1]);
        var features = temp.Combine("features");
        File.Copy(Path.Combine(features, "part-00000-shard-0-of-2.parquet"), Path.Combine(features, "part-00009-shard-1-of-2.parquet"));

        var result = await FeatureStoreVerification.RunAsync(temp.Path, CancellationToken.None);

        Assert.Equal(
            $"Feature store '{temp.Path}' holds image '{SyntheticFeatures.PathOf(0)}' in part '{Path.Combine(features, "part-00000-shard-0-of-2.parquet")}' and again in '{Path.Combine(features, "part-00009-shard-1-of-2.parquet")}': a duplicate row.",
            result.Problem);
    }

    [Fact]
    public async Task RunAsync_PartOfAnotherModel_NamesThePartAndTheKeys()
    {
        using var temp = new TempFolder();
        var other = SyntheticFeatures.Metadata(Dimension) with { ModelName = "vgg16" };
        await WriteShardsAsync(temp.Path, 2, commit: [0, 1], metadataOf: i => i == 1 ? other : null);

        var result = await FeatureStoreVerification.RunAsync(temp.Path, CancellationToken.None);

        Assert.StartsWith($"Feature store part '{temp.Combine("features", "part-00000-shard-1-of-2.parquet")}' was featurized by another featurizer", result.Problem, StringComparison.Ordinal);
        Assert.Contains("model 'vgg16' instead of 'resnet18'", result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_UnshardedStoreWithoutSuccess_SaysSo()
    {
        using var temp = new TempFolder();
        await using (var writer = await FeatureStoreWriter.CreateAsync(temp.Path, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 5, batch: 5);
        }

        var result = await FeatureStoreVerification.RunAsync(temp.Path, CancellationToken.None);

        Assert.Equal($"Feature store '{temp.Path}' is incomplete: '{temp.Combine("features")}' has no _SUCCESS marker.", result.Problem);
    }

    /// <summary>Shards of 10 rows each (shard i holds rows 10i…10i+9), of which those in <paramref name="commit"/> commit.</summary>
    private static async Task WriteShardsAsync(string root, int count, int[] commit, Func<int, FeatureStoreMetadata?>? metadataOf = null)
    {
        for (var i = 0; i < count; i++)
        {
            var store = ShardedStore.Open(root, new Shard(i, count));
            var attempt = await ShardedStoreTests.WriteAttemptAsync(store, i * 10, 10, metadataOf?.Invoke(i));
            if (commit.Contains(i))
            {
                store.TryCommit(attempt);
                store.TryComplete();
            }
        }
    }
}
