using System.Runtime.CompilerServices;
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
