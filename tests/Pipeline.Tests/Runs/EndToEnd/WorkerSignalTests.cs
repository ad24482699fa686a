using System.Text.Json;

namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// <c>pipeline worker</c> as a real process receiving SIGTERM in the middle of a run: the signal
/// must reach the host (not be swallowed by the command-line layer), the run must be recorded as
/// interrupted with its pipeline file back in the inbox, and the process must exit on its own.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class WorkerSignalTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Worker_SigtermMidRun_RecordsInterruptedReturnsTheFileAndExits()
    {
        DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 3, perClass: 20);
        Directory.CreateDirectory(_dir.Combine("inbox"));
        var staged = _dir.Combine("digits.yaml");
        File.WriteAllText(staged, DigitsSubset.SmallPartsPipeline);
        var features = _dir.Combine("runs", "digits", "features");

        using var worker = PipelineProcess.Start(_dir.Path, "worker", "--Pipeline:Worker:PollInterval=00:00:00.200");
        File.Move(staged, _dir.Combine("inbox", "digits.yaml"));
        await Poll.UntilAsync(
            () => Directory.Exists(features) && Directory.GetFiles(features, "part-*.parquet").Length > 0,
            PipelineProcess.Patience,
            TimeSpan.FromMilliseconds(50),
            () => Assert.False(worker.HasExited, worker.Output));

        worker.Terminate();
        await worker.WaitForExitAsync();

        Assert.True(worker.ExitCode == 0, worker.Output);
        Assert.True(File.Exists(_dir.Combine("inbox", "digits.yaml")), worker.Output);
        using var run = JsonDocument.Parse(File.ReadAllText(_dir.Combine("runs", "digits", "run.json")));
        Assert.Equal("interrupted", run.RootElement.GetProperty("state").GetString());
        Assert.Empty(Directory.GetFiles(features, ".*"));
    }
}
