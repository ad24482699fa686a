using System.Globalization;
using System.Text.Json;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// SIGTERM to a real <c>pipeline worker</c> and <c>pipeline run</c> whose grace period is far shorter
/// than the drain of the batches in flight: the deadline abandons those batches, and the run still
/// commits every row it wrote (the open part closed complete), records itself interrupted with its true
/// counts, releases its claim, says that it stopped before the drain finished, and exits 130.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ShutdownGracePeriodTests : IDisposable
{
    /// <summary>A tenth of a second: a batch of 16 ResNet18 inferences on the CPU takes longer than that alone.</summary>
    private const string GracePeriod = "00:00:00.100";

    private readonly TempFolder _dir = new();
    private readonly int _images;
    private readonly string _runFolder;
    private readonly string _features;

    public ShutdownGracePeriodTests()
    {
        _images = DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 3, perClass: 30);
        _runFolder = _dir.Combine("runs", "digits");
        _features = Path.Combine(_runFolder, "features");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Worker_SigtermWithGracePeriodShorterThanTheDrain_KeepsEveryWrittenRowReleasesTheClaimAndExits130()
    {
        Directory.CreateDirectory(_dir.Combine("inbox"));
        var staged = _dir.Combine("digits.yaml");
        File.WriteAllText(staged, DigitsSubset.SlowDrainPipeline);

        using var worker = PipelineProcess.Start(
            _dir.Path, "worker", "--Pipeline:Worker:PollInterval=00:00:00.200", $"--Pipeline:Worker:ShutdownGracePeriod={GracePeriod}");
        File.Move(staged, _dir.Combine("inbox", "digits.yaml"));
        await worker.WaitForFirstPartAsync(_features);
        worker.Terminate();
        await worker.WaitForExitAsync();

        Assert.True(worker.ExitCode == 130, worker.Output);
        Assert.Contains("stopped before the drain finished", worker.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(_dir.Combine("inbox", "digits.yaml")), worker.Output);
        Assert.Empty(Directory.GetFiles(_dir.Combine("inbox", ".claimed")));
        AssertInterruptedWithEveryWrittenRowKept(worker.Output);
    }

    [Fact]
    public async Task Run_SigtermWithGracePeriodShorterThanTheDrain_KeepsEveryWrittenRowAndTheNextRunResumesFromThem()
    {
        File.WriteAllText(_dir.Combine("digits.yaml"), DigitsSubset.SlowDrainPipeline);
        File.WriteAllText(_dir.Combine("appsettings.json"), $$"""{ "Pipeline": { "Worker": { "ShutdownGracePeriod": "{{GracePeriod}}" } } }""");

        long kept;
        using (var first = PipelineProcess.Start(_dir.Path, "run", "digits.yaml"))
        {
            await first.WaitForFirstPartAsync(_features);
            first.Terminate();
            await first.WaitForExitAsync();

            Assert.True(first.ExitCode == 130, first.Output);
            Assert.Contains(first.ErrorLines, l => l.StartsWith("Stopped before the drain finished: the 00:00:00.1000000 grace period (Pipeline:Worker:ShutdownGracePeriod) ran out", StringComparison.Ordinal));
            kept = AssertInterruptedWithEveryWrittenRowKept(first.Output);
            Assert.Contains($"{kept} featurized", first.StandardOutput, StringComparison.Ordinal);
        }

        using var second = await PipelineProcess.RunAsync(_dir.Path, "run", "digits.yaml");

        Assert.True(second.ExitCode == 0, second.Output);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_runFolder, "run.json")));
        var counts = json.RootElement.GetProperty("counts");
        Assert.Equal("completed", json.RootElement.GetProperty("state").GetString());
        Assert.Equal((_images, kept, _images - kept), (counts.GetProperty("read").GetInt64(), counts.GetProperty("cached").GetInt64(), counts.GetProperty("featurized").GetInt64()));
        Assert.Equal((_images, _images), CountRows());
    }

    /// <summary>
    /// Checks what the stopped run left: run.json interrupted, its featurized count exactly the rows in the
    /// store (none lost, none half-written), more than the first part holds, and no temporary files.
    /// </summary>
    /// <returns>The rows kept.</returns>
    private long AssertInterruptedWithEveryWrittenRowKept(string output)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_runFolder, "run.json")));
        var run = json.RootElement;
        Assert.True(run.GetProperty("state").GetString() == "interrupted", output);
        var counts = run.GetProperty("counts");
        var featurized = counts.GetProperty("featurized").GetInt64();
        var (rows, paths) = CountRows();
        Assert.Equal(featurized, rows);
        Assert.Equal(rows, paths);

        // 24 rows in the first part and at least the second batch's 8 in the part open at the stop.
        Assert.InRange(rows, 32, _images - 1);
        Assert.InRange(counts.GetProperty("read").GetInt64(), rows, _images);
        Assert.False(File.Exists(Path.Combine(_features, "_SUCCESS")));
        Assert.Empty(Directory.GetFiles(_features, ".*"));
        return rows;
    }

    private (long Rows, long Paths) CountRows()
    {
        var row = Assert.Single(DuckDbQuery.Rows($"SELECT count(*), count(DISTINCT path) FROM read_parquet({DuckDbQuery.Parts(_runFolder)})"));
        return (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
    }
}
