using System.Text.Json;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// <c>pipeline worker</c> and <c>pipeline run</c> as real processes receiving SIGTERM in the middle of a
/// run, with the default 30 s grace period, which the drain of a few small batches meets: the signal must
/// reach the host (not be swallowed by the command-line layer), the run must be recorded as interrupted
/// with the true count of the rows it kept, and the process must exit on its own without saying that the
/// drain was cut short.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class WorkerSignalTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly string _runFolder;
    private readonly string _features;

    public WorkerSignalTests()
    {
        DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 3, perClass: 20);
        _runFolder = _dir.Combine("runs", "digits");
        _features = Path.Combine(_runFolder, "features");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Worker_SigtermMidRun_RecordsInterruptedWithTrueCountsReturnsTheFileAndExits0()
    {
        Directory.CreateDirectory(_dir.Combine("inbox"));
        var staged = _dir.Combine("digits.yaml");
        File.WriteAllText(staged, DigitsSubset.SmallPartsPipeline);

        using var worker = PipelineProcess.Start(_dir.Path, "worker", "--Pipeline:Worker:PollInterval=00:00:00.200");
        File.Move(staged, _dir.Combine("inbox", "digits.yaml"));
        await worker.WaitForFirstPartAsync(_features);

        worker.Terminate();
        await worker.WaitForExitAsync();

        Assert.True(worker.ExitCode == 0, worker.Output);
        Assert.DoesNotContain("stopped before the drain finished", worker.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(_dir.Combine("inbox", "digits.yaml")), worker.Output);
        AssertInterruptedWithTrueCounts(worker.Output);
    }

    [Fact]
    public async Task Run_SigtermMidRun_RecordsInterruptedWithTrueCountsAndExits130()
    {
        File.WriteAllText(_dir.Combine("digits.yaml"), DigitsSubset.SmallPartsPipeline);

        using var run = PipelineProcess.Start(_dir.Path, "run", "digits.yaml");
        await run.WaitForFirstPartAsync(_features);

        run.Terminate();
        await run.WaitForExitAsync();

        Assert.True(run.ExitCode == 130, run.Output);
        Assert.DoesNotContain(run.ErrorLines, l => l.StartsWith("Stopped before the drain finished", StringComparison.Ordinal));
        var kept = AssertInterruptedWithTrueCounts(run.Output);
        Assert.Contains($"{kept} featurized", run.StandardOutput, StringComparison.Ordinal);
    }

    /// <summary>Checks run.json says interrupted, its featurized count is the rows the store holds, and no temporary file is left; returns that count.</summary>
    private long AssertInterruptedWithTrueCounts(string output)
    {
        using var run = JsonDocument.Parse(File.ReadAllText(Path.Combine(_runFolder, "run.json")));
        Assert.True(run.RootElement.GetProperty("state").GetString() == "interrupted", output);
        var rows = DuckDbQuery.Count($"SELECT count(*) FROM read_parquet({DuckDbQuery.Parts(_runFolder)})");
        Assert.True(rows >= 8, $"{rows} rows kept, fewer than the first part holds");
        Assert.Equal(rows, run.RootElement.GetProperty("counts").GetProperty("featurized").GetInt64());
        Assert.Empty(Directory.GetFiles(_features, ".*"));
        return rows;
    }
}
