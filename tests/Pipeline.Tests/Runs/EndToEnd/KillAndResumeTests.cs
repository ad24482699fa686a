using System.Globalization;
using System.Text.Json;
using Pipeline.Runs;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// A run stopped in the middle of featurization, by SIGKILL or by its token, then started again: the
/// complete part files survive the stop, the second run reuses them, and the store ends up holding
/// every image exactly once, as an engine that shares no code with ours (DuckDB) reads the raw parts.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class KillAndResumeTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly int _images;
    private readonly string _runFolder;
    private readonly string _features;

    public KillAndResumeTests()
    {
        _images = DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 3, perClass: 20);
        File.WriteAllText(_dir.Combine("digits.yaml"), DigitsSubset.SmallPartsPipeline);
        _runFolder = _dir.Combine("runs", "digits");
        _features = Path.Combine(_runFolder, "features");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_KilledMidFeaturizationThenRunAgain_StoreHoldsEveryImageExactlyOnce()
    {
        using (var first = PipelineProcess.Start(_dir.Path, "run", "digits.yaml"))
        {
            await WaitForFirstPartAsync(() => first.HasExited, () => first.Output);
            first.KillHard();
            await first.WaitForExitAsync();
        }

        // SIGKILL leaves run.json as the last write made it: still running.
        Assert.Equal("running", State(RunJson()));
        Assert.False(File.Exists(Path.Combine(_features, "_SUCCESS")));
        var survivors = Directory.GetFiles(_features, "part-*.parquet").Length;

        using var second = await PipelineProcess.RunAsync(_dir.Path, "run", "digits.yaml");

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("resumes", second.Output, StringComparison.Ordinal);
        var (cached, featurized) = AssertResumedRun();

        // Exactly the rows of the parts that survived the kill (all full) are reused; the part being
        // written when the kill came is redone, as is the rest.
        Assert.Equal(8 * survivors, cached);
        Assert.InRange(featurized, 1, _images);
    }

    [Fact]
    public async Task RunAsync_CancelledMidFeaturizationThenRunAgain_RecordsInterruptedAndStoreHoldsEveryImageExactlyOnce()
    {
        using var host = new RunServiceHost(_dir.Path);
        using var stop = new CancellationTokenSource();
        var running = host.Service.RunAsync(_dir.Combine("digits.yaml"), cancellationToken: stop.Token);
        await WaitForFirstPartAsync(() => running.IsCompleted, () => string.Join(Environment.NewLine, host.Log.Messages));
        await stop.CancelAsync();

        var first = await running;

        Assert.Equal(RunState.Interrupted, first.State);
        Assert.Equal("interrupted", State(RunJson()));
        Assert.Equal(RunState.Interrupted, Assert.Single(first.Record!.Stages).State);
        Assert.False(File.Exists(Path.Combine(_features, "_SUCCESS")));
        Assert.Empty(Directory.GetFiles(_features, ".*"));

        // A stop, unlike a kill, writes what is in flight and closes the open part complete, so every row
        // written before the stop is reused, whether its part was full or not.
        var kept = CountRows().Rows;

        var second = await host.Service.RunAsync(_dir.Combine("digits.yaml"));

        Assert.True(second.State == RunState.Completed, second.Error);
        var (cached, featurized) = AssertResumedRun();
        Assert.Equal(kept, cached);
        Assert.InRange(featurized, 1, _images);
    }

    private string RunJson() => Path.Combine(_runFolder, "run.json");

    private static string State(string runJson)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(runJson));
        return json.RootElement.GetProperty("state").GetString()!;
    }

    /// <summary>Checks the second run's run.json and the store it left; returns its cached and featurized counts.</summary>
    private (long Cached, long Featurized) AssertResumedRun()
    {
        long cached;
        long featurized;
        using (var json = JsonDocument.Parse(File.ReadAllText(RunJson())))
        {
            var run = json.RootElement;
            Assert.Equal("completed", run.GetProperty("state").GetString());
            Assert.Equal(2, run.GetProperty("attempt").GetInt32());
            var counts = run.GetProperty("counts");
            cached = counts.GetProperty("cached").GetInt64();
            featurized = counts.GetProperty("featurized").GetInt64();
            Assert.Equal(_images, counts.GetProperty("read").GetInt64());
            Assert.Equal(_images, cached + featurized);
        }

        Assert.True(File.Exists(Path.Combine(_features, "_SUCCESS")));
        Assert.Empty(Directory.GetFiles(_features, ".*"));
        Assert.Equal((_images, _images), CountRows());
        return (cached, featurized);
    }

    /// <summary>Rows and distinct paths in the raw part files, read by DuckDB (no dedupe on our side).</summary>
    private (long Rows, long Paths) CountRows()
    {
        var row = Assert.Single(DuckDbQuery.Rows($"SELECT count(*), count(DISTINCT path) FROM read_parquet({DuckDbQuery.Parts(_runFolder)})"));
        return (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Polls until a complete part exists; fails if the run ended first, since then nothing was tested.</summary>
    private async Task WaitForFirstPartAsync(Func<bool> ended, Func<string> output)
    {
        await Poll.UntilAsync(
            () => Directory.Exists(_features) && Directory.GetFiles(_features, "part-*.parquet").Length > 0,
            PipelineProcess.Patience,
            TimeSpan.FromMilliseconds(10),
            () => Assert.False(ended(), $"the run ended before its first part file:{Environment.NewLine}{output()}"));

        Assert.False(File.Exists(Path.Combine(_features, "_SUCCESS")), "featurization finished before the stop; the test needs a slower pace or more images");
    }
}
