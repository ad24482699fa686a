using Pipeline.FeatureStore;
using Pipeline.Sources;
using Pipeline.Tests.FeatureStore;
using Pipeline.Tests.Runs.EndToEnd;

namespace Pipeline.Tests.Cli;

/// <summary>
/// <c>pipeline store compact</c> and <c>store verify</c> on sharded stores, as real processes: shards
/// featurized by <c>featurize --shard</c> (the real ResNet18 on sample digits), the compaction a process
/// of its own while late attempts, reruns and readers come and go.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ShardedStoreCompactTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task StoreCompact_CompletedShardedStore_ALateAttemptAndARerunOfAShardAfterwardsAddNothing()
    {
        // 40 images, about 20 a shard: the late attempt is still featurizing when it is suspended after its first part.
        var images = DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 2, perClass: 20);
        var store = _dir.Combine("store");
        using var late = PipelineProcess.Start(_dir.Path, Featurize("0/2"));
        await Poll.UntilAsync(() => AttemptParts(store).Length > 0 || late.HasExited, PipelineProcess.Patience, TimeSpan.FromMilliseconds(20));
        late.Suspend();
        Assert.False(late.HasExited, late.Output);

        using (var first = await PipelineProcess.RunAsync(_dir.Path, Featurize("0/2")))
        using (var second = await PipelineProcess.RunAsync(_dir.Path, Featurize("1/2")))
        {
            Assert.True(first.ExitCode == 0, first.Output);
            Assert.True(second.ExitCode == 0, second.Output);
        }

        using (var compact = await PipelineProcess.RunAsync(_dir.Path, "store", "compact", "store", "--rows-per-part", "16"))
        {
            Assert.True(compact.ExitCode == 0, compact.Output);
            Assert.StartsWith($"Compacted the 2 shards' ", compact.StandardOutput, StringComparison.Ordinal);
            Assert.Contains($"unsharded parts of {images} rows in {store}; a later run of any of its shards finds its marker and adds nothing.", compact.StandardOutput, StringComparison.Ordinal);
        }

        var features = Resolve(Path.Combine(store, "features"));
        var compacted = Directory.GetFiles(features, "part-*.parquet").Order(StringComparer.Ordinal).ToArray();
        Assert.All(compacted, p => Assert.DoesNotContain("-shard-", p, StringComparison.Ordinal));

        // The attempt that was running all along loses to the marker; a rerun finds its shard committed.
        late.Resume();
        await late.WaitForExitAsync();
        Assert.True(late.ExitCode == 0, late.Output);
        Assert.Contains("shard 0/2 was committed by attempt", late.Output, StringComparison.OrdinalIgnoreCase);
        using (var rerun = await PipelineProcess.RunAsync(_dir.Path, Featurize("1/2")))
        {
            Assert.True(rerun.ExitCode == 0, rerun.Output);
            Assert.Contains("shard 1/2 was committed already by attempt", rerun.StandardOutput, StringComparison.Ordinal);
        }

        Assert.Equal(compacted, Directory.GetFiles(Resolve(Path.Combine(store, "features")), "part-*.parquet").Order(StringComparer.Ordinal));
        var parts = $"'{Resolve(Path.Combine(store, "features"))}/*.parquet'";
        Assert.Equal(images, DuckDbQuery.Count($"SELECT count(*) FROM read_parquet({parts})"));
        Assert.Equal(images, DuckDbQuery.Count($"SELECT count(DISTINCT path) FROM read_parquet({parts})"));
        using var verify = await PipelineProcess.RunAsync(_dir.Path, "store", "verify", "store");
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("layout: 2 shards, all committed, compacted into unsharded parts, _SUCCESS present", verify.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"rows: {images}  distinct keys: {images}  duplicates: 0", verify.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreCompact_IncompleteShardedStore_IsRefusedNamingTheMissingShard()
    {
        var shard = ShardedStore.Open(_dir.Combine("store"), new Shard(1, 3));
        shard.TryCommit(await ShardedStoreTests.WriteAttemptAsync(shard, 0, 10));
        shard.TryComplete();

        using var compact = await PipelineProcess.RunAsync(_dir.Path, "store", "compact", "store");

        Assert.Equal(1, compact.ExitCode);
        Assert.Equal(
            [$"error: Feature store '{_dir.Combine("store")}' is not complete, so its parts are not merged: shards 0/3, 2/3 of its 3 have not committed; run them first."],
            compact.ErrorLines);
        Assert.Null(new FileInfo(_dir.Combine("store", "features")).LinkTarget);
    }

    [Fact]
    public async Task StoreCompact_WhileAReaderLoops_EveryReadSeesEachRowOnce()
    {
        // Three shards of 200 rows in parts of 4: 150 parts to merge, so the compaction process takes a while.
        var store = _dir.Combine("store");
        for (var i = 0; i < 3; i++)
        {
            var shard = ShardedStore.Open(store, new Shard(i, 3));
            shard.TryCommit(await ShardedStoreTests.WriteAttemptAsync(shard, i * 200, 200));
            shard.TryComplete();
        }

        var expected = Enumerable.Range(0, 600).Select(SyntheticFeatures.PathOf).Order(StringComparer.Ordinal).ToArray();
        var features = Path.Combine(store, "features");
        using var compact = PipelineProcess.Start(_dir.Path, "store", "compact", "store", "--rows-per-part", "50");
        var reads = 0;
        while (!compact.HasExited || reads == 0)
        {
            // A reader that resolved the plain folder before it was adopted may find a part gone after
            // the swap (README: it fails, and never reads a row twice); one that resolved the link never does.
            var adopted = new FileInfo(features).LinkTarget is not null;
            List<string> paths;
            try
            {
                var reader = await FeatureStoreReader.OpenAsync(store);
                paths = await reader.ReadRecordsAsync().Select(r => r.Path).ToListAsync();
            }
            catch (Exception e) when (!adopted && e is FileNotFoundException or InvalidDataException)
            {
                continue;
            }

            Assert.Equal(expected, paths.Order(StringComparer.Ordinal));
            reads++;
        }

        await compact.WaitForExitAsync();
        Assert.True(compact.ExitCode == 0, compact.Output);
        Assert.True(reads > 1, $"{reads} reads");
        var after = await FeatureStoreReader.OpenAsync(store);
        Assert.Equal(12, after.PartFiles.Count);
        Assert.Equal(expected, (await after.ReadRecordsAsync().Select(r => r.Path).ToListAsync()).Order(StringComparer.Ordinal));
    }

    private static string[] Featurize(string shard) =>
        ["featurize", "--input", "digits", "--output", "store", "--shard", shard, "--device", "cpu", "--batch-size", "4", "--parallelism", "1", "--rows-per-part", "4"];

    private static string[] AttemptParts(string store)
    {
        var attempts = Path.Combine(store, "_temporary");
        return Directory.Exists(attempts) ? Directory.GetFiles(attempts, "part-*.parquet", SearchOption.AllDirectories) : [];
    }

    /// <summary>What a reader resolving the <c>features</c> link once gets.</summary>
    private static string Resolve(string path) => Directory.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
}
