using Pipeline.FeatureStore;
using Pipeline.Tests.FeatureStore;
using Pipeline.Tests.Runs.EndToEnd;

namespace Pipeline.Tests.Cli;

/// <summary>
/// <c>pipeline featurize --shard</c> as real processes writing one store at once, with the real
/// ResNet18 on sample digits: a few dozen images, so that three processes on two cores stay fast.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ShardedFeaturizeTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Featurize_ThreeShardProcessesAtOnce_StoreHoldsEveryImageOnceAndVerifies()
    {
        // About 30 images a shard, so that shard 2 is still featurizing when it is suspended after its first part.
        var images = DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 3, perClass: 30);
        var store = _dir.Combine("store");
        var shards = Enumerable.Range(0, 3).Select(i => PipelineProcess.Start(_dir.Path, Featurize($"{i}/3"))).ToArray();
        try
        {
            // Shard 2 held still mid-attempt while the others finish: no _SUCCESS before it commits.
            await Poll.UntilAsync(() => ShardAttemptParts(store, 2).Length > 0 || shards[2].HasExited, PipelineProcess.Patience, TimeSpan.FromMilliseconds(20));
            shards[2].Suspend();
            Assert.False(shards[2].HasExited, shards[2].Output);
            for (var i = 0; i < 2; i++)
            {
                await shards[i].WaitForExitAsync();
                Assert.True(shards[i].ExitCode == 0, shards[i].Output);
            }

            Assert.False(File.Exists(Path.Combine(store, "features", "_SUCCESS")));
            Assert.False(File.Exists(Path.Combine(store, "_shards", "shard-2-of-3.committed")));
            shards[2].Resume();
            await shards[2].WaitForExitAsync();
            Assert.True(shards[2].ExitCode == 0, shards[2].Output);

            Assert.All(shards.Select((s, i) => (s, i)), p => Assert.Contains($"Sharding: shard {p.i}/3 as given", p.s.Output, StringComparison.Ordinal));
        }
        finally
        {
            Array.ForEach(shards, s => s.Dispose());
        }

        Assert.True(File.Exists(Path.Combine(store, "features", "_SUCCESS")));
        Assert.False(Directory.Exists(Path.Combine(store, "_temporary")));
        Assert.Equal(images, DuckDbQuery.Count($"SELECT count(*) FROM read_parquet({DuckDbQuery.Parts(store)})"));
        Assert.Equal(images, DuckDbQuery.Count($"SELECT count(DISTINCT path) FROM read_parquet({DuckDbQuery.Parts(store)})"));

        // Training and evaluation read the shards' parts as one store.
        var set = await (await FeatureStoreReader.OpenAsync(store)).ReadAllAsync();
        Assert.Equal((images, 3), (set.Count, set.Classes.Count));

        using var verify = await PipelineProcess.RunAsync(_dir.Path, "store", "verify", "store");
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains($"rows: {images}  distinct keys: {images}  duplicates: 0", verify.StandardOutput, StringComparison.Ordinal);

        File.Delete(Path.Combine(store, "_shards", "shard-1-of-3.committed"));
        using var incomplete = await PipelineProcess.RunAsync(_dir.Path, "store", "verify", "store");
        Assert.Equal(1, incomplete.ExitCode);
        Assert.Equal([$"error: Feature store '{store}' is incomplete: shard 1/3 has not committed (no _shards/shard-1-of-3.committed); run that shard again."], incomplete.ErrorLines);
    }

    [Fact]
    public async Task Featurize_ShardKilledWithSigkillAndRunAgain_LeavesEachImageOnce()
    {
        // Enough images that the attempt runs on for a second or more after its first part: on an
        // idle machine a short one publishes before the kill lands.
        var images = DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 3, perClass: 30);
        var store = _dir.Combine("store");
        using (var killed = PipelineProcess.Start(_dir.Path, Featurize("0/1")))
        {
            await Poll.UntilAsync(() => AttemptParts(store).Length > 0 || killed.HasExited, PipelineProcess.Patience, TimeSpan.FromMilliseconds(50));
            Assert.False(killed.HasExited, killed.Output);
            killed.KillHard();
            await killed.WaitForExitAsync();
        }

        // The killed attempt's parts stay in its hidden folder: readers of features/ see none of them.
        Assert.NotEmpty(AttemptParts(store));
        Assert.Empty(FeatureStoreLayout.FindParquetParts(Path.Combine(store, "features")));

        using var retry = await PipelineProcess.RunAsync(_dir.Path, Featurize("0/1"));
        Assert.True(retry.ExitCode == 0, retry.Output);
        Assert.Contains("shard 0/1 committed; all 1 shards are committed and the store is complete (_SUCCESS)", retry.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(images, DuckDbQuery.Count($"SELECT count(DISTINCT path) FROM read_parquet({DuckDbQuery.Parts(store)})"));
        Assert.Equal(images, DuckDbQuery.Count($"SELECT count(*) FROM read_parquet({DuckDbQuery.Parts(store)})"));
        Assert.False(Directory.Exists(Path.Combine(store, "_temporary")));

        // A finished shard run again featurizes nothing.
        using var again = await PipelineProcess.RunAsync(_dir.Path, Featurize("0/1"));
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("shard 0/1 was committed already by attempt", again.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Featurize_SameShardTwiceAtOnce_OneAttemptCommitsAndNoImageIsDoubled()
    {
        // As many images as the kill test, so that the first is still featurizing when it is suspended.
        var images = DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 2, perClass: 40);
        var store = _dir.Combine("store");

        // The first held still mid-attempt while the second runs a whole attempt and commits: both
        // ran as attempts, and only the second's rows are in the store.
        using var first = PipelineProcess.Start(_dir.Path, Featurize("0/1"));
        await Poll.UntilAsync(() => AttemptParts(store).Length > 0 || first.HasExited, PipelineProcess.Patience, TimeSpan.FromMilliseconds(20));
        first.Suspend();
        Assert.False(first.HasExited, first.Output);
        using var second = await PipelineProcess.RunAsync(_dir.Path, Featurize("0/1"));
        first.Resume();
        await first.WaitForExitAsync();

        Assert.True(first.ExitCode == 0, first.Output);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.All([first, second], p => Assert.Contains("Featurizing shard 0/1 of ", p.Output, StringComparison.Ordinal));
        Assert.Contains("shard 0/1 committed;", second.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("shard 0/1 was committed by attempt", first.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(images, DuckDbQuery.Count($"SELECT count(*) FROM read_parquet({DuckDbQuery.Parts(store)})"));
        Assert.Equal(images, DuckDbQuery.Count($"SELECT count(DISTINCT path) FROM read_parquet({DuckDbQuery.Parts(store)})"));
    }

    [Fact]
    public async Task Featurize_UnshardedIntoAShardedStore_IsRefused()
    {
        DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 2, perClass: 2);
        Pipeline.Sources.Shard shard = new(0, 2);
        ShardedStore.Open(_dir.Combine("store"), shard).BeginAttempt();

        using var unsharded = await PipelineProcess.RunAsync(_dir.Path, "featurize", "--input", "digits", "--output", "store", "--device", "cpu");

        Assert.Equal(1, unsharded.ExitCode);
        Assert.Equal(
            [$"error: Feature store '{_dir.Combine("store")}' is written in 2 shards, so an unsharded featurize cannot write to it; give --shard i/2, or write to another output directory."],
            unsharded.ErrorLines);
    }

    private static string[] Featurize(string shard) =>
        ["featurize", "--input", "digits", "--output", "store", "--shard", shard, "--device", "cpu", "--batch-size", "4", "--parallelism", "1", "--rows-per-part", "4"];

    private static string[] ShardAttemptParts(string store, int shard)
    {
        var attempts = Path.Combine(store, "_temporary", $"shard-{shard}-of-3");
        return Directory.Exists(attempts) ? Directory.GetFiles(attempts, "part-*.parquet", SearchOption.AllDirectories) : [];
    }

    private static string[] AttemptParts(string store)
    {
        var attempts = Path.Combine(store, "_temporary");
        return Directory.Exists(attempts) ? Directory.GetFiles(attempts, "part-*.parquet", SearchOption.AllDirectories) : [];
    }
}
