using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Sources;

namespace Pipeline.Tests.Featurization;

/// <summary>An unsharded featurize and a shard starting in its store while it runs.</summary>
public sealed class FeaturizationJobShardedStoreTests
{
    [Fact]
    public async Task RunAsync_AShardBeginsWhileAnUnshardedRunFeaturizes_FailsWithoutWritingSuccess()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        GeneratedImages.WriteFolder(input.Path, 6, "a", "b");
        var source = new ShardBeginsMidway(await ImageSourceFactory.OpenAsync(input.Path), output.Path);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => TestFeaturization.RunAsync(source, output.Path));

        Assert.Contains("is written in 2 shards, so an unsharded featurize cannot write to it", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(output.Combine("features", "_SUCCESS")));
    }

    [Fact]
    public async Task RunAsync_TwoShards_EachPartRecordsTheKeySchemeAndVerifyCatchesAPartMovedIntoTheOtherShard()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        GeneratedImages.WriteFolder(input.Path, 6, "a", "b");
        foreach (var index in new[] { 0, 1 })
        {
            await FeaturizationJob.RunAsync(
                await ImageSourceFactory.OpenAsync(input.Path),
                TestFeaturization.ResNet18,
                output.Path,
                TestFeaturization.Options with { Shard = new Shard(index, 2) },
                new FeaturizationCounters(),
                NullLogger.Instance,
                CancellationToken.None);
        }

        var features = output.Combine("features");
        foreach (var part in FeatureStoreLayout.FindParquetParts(features))
        {
            var footer = await FeatureStoreReader.OpenPartAsync(part, CancellationToken.None);
            await using (footer)
            {
                Assert.Equal(new ShardKeyScheme(ShardKeyKind.RelativePath, input.Path), FeatureStoreKeyValues.ShardKeySchemeOf(footer.CustomMetadata));
            }
        }

        var verified = await FeatureStoreVerification.RunAsync(output.Path, CancellationToken.None);
        Assert.True(verified.Passed, verified.Problem);
        Assert.Empty(verified.Notes);

        var moved = Path.Combine(features, "part-00009-shard-1-of-2.parquet");
        File.Move(Path.Combine(features, "part-00000-shard-0-of-2.parquet"), moved);
        var reader = await FeatureStoreReader.OpenAsync(output.Path);
        var firstPath = await reader.ReadRecordsAsync(reader.PartFiles.ToList().IndexOf(moved)).Select(r => r.Path).FirstAsync();
        var key = ShardedImageSource.RelativeKey(input.Path, firstPath);

        var caught = await FeatureStoreVerification.RunAsync(output.Path, CancellationToken.None);

        Assert.Equal(
            $"Feature store part '{moved}' is named for shard 1/2 but holds image '{firstPath}', whose key '{key}' is shard 0/2's: the part was moved or renamed from another shard; featurize the store again.",
            caught.Problem);
    }

    /// <summary>The source's images, with shard 0 of 2 beginning its attempt in the store after the first.</summary>
    private sealed class ShardBeginsMidway(ILabelledImageSource source, string store) : ILabelledImageSource
    {
        public string Description => source.Description;

        public ClassList Classes => source.Classes;

        public async IAsyncEnumerable<LabelledImage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            var first = true;
            await foreach (var image in source.ReadAsync(cancellationToken))
            {
                yield return image;
                if (first)
                {
                    Directory.CreateDirectory(Path.Combine(store, "_temporary", "shard-0-of-2", "attempt-elsewhere"));
                    first = false;
                }
            }
        }
    }
}
