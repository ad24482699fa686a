using System.Globalization;
using System.Text.Json;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// <c>pipeline run</c> as a real process whose part file cannot be written: past a file size limit
/// (EFBIG, any user) or on a full tmpfs (ENOSPC, root only). The temporary part is removed, the cause is
/// reported in one sentence naming the part rather than its temporary file, run.json records the run
/// failed, and the next run with room to write resumes and completes.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class DiskFullTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly int _images;
    private readonly string _runs;
    private readonly string _runFolder;
    private readonly string _features;
    private bool _mounted;

    public DiskFullTests()
    {
        _images = DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 3, perClass: 20);
        _runs = _dir.Combine("runs");
        _runFolder = Path.Combine(_runs, "digits");
        _features = Path.Combine(_runFolder, "features");
    }

    public void Dispose()
    {
        if (_mounted)
        {
            RootFactAttribute.Unmount(_runs);
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task Run_PartPastTheFileSizeLimit_RemovesTheTemporaryPartRecordsFailedNamingThePartAndTheNextRunCompletes()
    {
        // One part for all 60 rows, about 120 KB of features: past the 64 KB limit, while run.json,
        // resolved.yaml and rejects.parquet stay far below it.
        File.WriteAllText(_dir.Combine("digits.yaml"), DigitsSubset.SmallPartsPipeline.Replace("rowsPerPart: 8", "rowsPerPart: 1000", StringComparison.Ordinal));

        using var limited = await PipelineProcess.RunWithFileSizeLimitAsync(_dir.Path, 64, "run", "digits.yaml");

        Assert.True(limited.ExitCode == 1, limited.Output);
        var part = Path.Combine(_features, "part-00000.parquet");
        var error = AssertFailedAndCleanedUp(limited.Output);
        Assert.Equal($"File too large for the file system or the process's file size limit : '{part}'", error);
        Assert.Contains($"  error: {error}", limited.StandardOutput, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_features));

        using var next = await PipelineProcess.RunAsync(_dir.Path, "run", "digits.yaml");

        Assert.True(next.ExitCode == 0, next.Output);
        Assert.Equal("completed", Record().GetProperty("state").GetString());
        Assert.Equal((_images, _images), CountRows());
    }

    [RootFact]
    public async Task Run_DiskFullMidRun_RemovesTheTemporaryPartRecordsFailedKeepsCompletePartsAndTheNextRunResumes()
    {
        // 64 KB hold run.json, resolved.yaml and three parts of 8 rows (16 KB each), not the fourth.
        Directory.CreateDirectory(_runs);
        RootFactAttribute.Mount(_runs, "64k");
        _mounted = true;
        File.WriteAllText(_dir.Combine("digits.yaml"), DigitsSubset.SmallPartsPipeline);

        using var full = await PipelineProcess.RunAsync(_dir.Path, "run", "digits.yaml");

        Assert.True(full.ExitCode == 1, full.Output);
        var error = AssertFailedAndCleanedUp(full.Output);
        var parts = Directory.GetFiles(_features, "part-*.parquet");
        Assert.NotEmpty(parts);
        Assert.Equal($"No space left on device : '{Path.Combine(_features, $"part-{parts.Length:D5}.parquet")}'", error);
        var kept = CountRows().Rows;
        Assert.Equal(8 * parts.Length, kept);

        RootFactAttribute.Resize(_runs, "64m");
        using var next = await PipelineProcess.RunAsync(_dir.Path, "run", "digits.yaml");

        Assert.True(next.ExitCode == 0, next.Output);
        var counts = Record().GetProperty("counts");
        Assert.Equal((kept, _images - kept), (counts.GetProperty("cached").GetInt64(), counts.GetProperty("featurized").GetInt64()));
        Assert.Equal((_images, _images), CountRows());
    }

    /// <summary>Checks run.json says failed and no temporary file is left in the store; returns run.json's error.</summary>
    private string AssertFailedAndCleanedUp(string output)
    {
        var run = Record();
        Assert.True(run.GetProperty("state").GetString() == "failed", output);
        Assert.Empty(Directory.GetFiles(_features, ".*"));
        Assert.Empty(Directory.GetFiles(_runFolder, ".*.tmp"));
        var error = run.GetProperty("error").GetString()!;
        Assert.DoesNotContain(".tmp", error, StringComparison.Ordinal);
        return error;
    }

    private JsonElement Record()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_runFolder, "run.json")));
        return json.RootElement.Clone();
    }

    private (long Rows, long Paths) CountRows()
    {
        var row = Assert.Single(DuckDbQuery.Rows($"SELECT count(*), count(DISTINCT path) FROM read_parquet({DuckDbQuery.Parts(_runFolder)})"));
        return (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
    }
}
