namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary><c>pipeline run</c> of a pipeline file with <c>featurize.shard</c>: the run of the shard that completes the store trains.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ShardedRunEndToEndTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_ShardsOneAfterTheOther_OnlyTheLastTrains()
    {
        var images = DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 3, perClass: 6);
        var model = _dir.Combine("runs", "digits", "model", "model.json");

        File.WriteAllText(_dir.Combine("shard0.yaml"), Sharded("0/2"));
        using var first = await PipelineProcess.RunAsync(_dir.Path, "run", "shard0.yaml");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("Not training yet: shard 0/2 committed; the store waits for 1 of 2 shards (1)", first.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(model));

        File.WriteAllText(_dir.Combine("shard1.yaml"), Sharded("1/2"));
        using var last = await PipelineProcess.RunAsync(_dir.Path, "run", "shard1.yaml");
        Assert.True(last.ExitCode == 0, last.Output);
        Assert.True(File.Exists(model), last.Output);

        using var verify = await PipelineProcess.RunAsync(_dir.Path, "store", "verify", "runs/digits");
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains($"rows: {images}  distinct keys: {images}  duplicates: 0", verify.StandardOutput, StringComparison.Ordinal);

        // Shard 0 run again after the store completed finds it complete, but shard 1's run trains it.
        var trained = File.GetLastWriteTimeUtc(model);
        using var again = await PipelineProcess.RunAsync(_dir.Path, "run", "shard0.yaml");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.Contains("and the run of shard 1/2 trains this store", again.Output, StringComparison.Ordinal);
        Assert.Equal(trained, File.GetLastWriteTimeUtc(model));
    }

    private static string Sharded(string shard) =>
        DigitsSubset.SmallPartsPipeline.Replace("partSeconds: 3600 }", $"partSeconds: 3600, shard: {shard} }}", StringComparison.Ordinal);
}
