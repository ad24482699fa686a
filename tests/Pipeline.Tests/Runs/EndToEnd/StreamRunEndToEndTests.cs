using System.Globalization;
using System.Text.Json;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// <c>pipeline run</c> over a watched landing folder, as a real process: images moved in while it
/// runs are featurized once each with their label, files still being written or never finished are
/// not, SIGTERM commits and exits 0, and after a SIGKILL a restart leaves every landed image in the
/// store exactly once, as DuckDB (which shares no code with ours) counts the raw parts.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class StreamRunEndToEndTests : IDisposable
{
    private const string StreamPipeline = """
        name: stream
        source: { kind: watch, path: landing }
        model: { name: resnet18 }
        featurize: { device: cpu, batchSize: 8, parallelism: 1 }
        stream: { maxDelaySeconds: 1 }
        output: stream
        """;

    private readonly TempFolder _dir = new();
    private readonly string _staging;
    private readonly string _landing;
    private readonly string _runFolder;

    public StreamRunEndToEndTests()
    {
        _staging = _dir.Combine("staging");
        _landing = _dir.Combine("landing");
        _runFolder = _dir.Combine("runs", "stream");
        File.WriteAllText(_dir.Combine("stream.yaml"), StreamPipeline);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_ImagesLandInWavesBesideASlowWriteAndATmp_FeaturizesEachFinishedImageOnceWithItsLabel()
    {
        var images = Stage(classes: 4, perClass: 25);
        var backfill = images.Take(10).ToArray();
        foreach (var image in backfill)
        {
            StagedImages.Land(image);
        }

        using var run = PipelineProcess.Start(_dir.Path, "run", "stream.yaml");
        await UntilRowsAsync(run, backfill.Length);

        foreach (var wave in images.Skip(backfill.Length).Chunk(30))
        {
            foreach (var image in wave)
            {
                StagedImages.Land(image);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300));
        }

        // Written in place in two halves with a pause longer than the settle interval between them:
        // taken only once whole, and once.
        var slow = Path.Combine(_landing, "1", "slow.png");
        var slowBytes = await File.ReadAllBytesAsync(images[^1].Landed);
        await using (var writer = new FileStream(slow, FileMode.CreateNew))
        {
            await writer.WriteAsync(slowBytes.AsMemory(0, slowBytes.Length / 2));
            await writer.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(3));
            await writer.WriteAsync(slowBytes.AsMemory(slowBytes.Length / 2));
        }

        var unfinished = Path.Combine(_landing, "2", "incoming.png.tmp");
        await File.WriteAllBytesAsync(unfinished, slowBytes);

        await UntilRowsAsync(run, images.Length + 1);
        run.Terminate();
        await run.WaitForExitAsync();

        Assert.True(run.ExitCode == 0, run.Output);
        var rows = DuckDbQuery.Rows($"SELECT path, label FROM read_parquet({DuckDbQuery.Parts(_runFolder)})")
            .Select(r => (Path: (string)r[0], Label: (string)r[1]))
            .ToList();
        var expected = images.Select(i => (i.Landed, i.Label)).Append((slow, "1")).Order().ToList();
        Assert.Equal(expected, rows.Order().ToList());
        Assert.DoesNotContain(rows, r => r.Path.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.Equal(("interrupted", true), RunState());
        Assert.False(File.Exists(Path.Combine(_runFolder, "features", "_SUCCESS")));
    }

    [Fact]
    public async Task Run_KilledMidStreamThenStartedAgain_HoldsEveryLandedImageExactlyOnce()
    {
        var images = Stage(classes: 3, perClass: 16);
        var first = images.Take(24).ToArray();
        foreach (var image in first)
        {
            StagedImages.Land(image);
        }

        using (var killed = PipelineProcess.Start(_dir.Path, "run", "stream.yaml"))
        {
            await UntilRowsAsync(killed, 8);
            killed.KillHard();
            await killed.WaitForExitAsync();
        }

        // Landed while no run watches: the restart's backfill takes them.
        foreach (var image in images.Skip(first.Length))
        {
            StagedImages.Land(image);
        }

        using var restarted = PipelineProcess.Start(_dir.Path, "run", "stream.yaml");
        await UntilRowsAsync(restarted, images.Length);
        restarted.Terminate();
        await restarted.WaitForExitAsync();

        Assert.True(restarted.ExitCode == 0, restarted.Output);
        var (rows, paths) = CountRows();
        Assert.Equal((images.Length, images.Length), (rows, paths));
        Assert.Empty(Directory.GetFiles(Path.Combine(_runFolder, "features"), ".*"));
    }

    [Fact]
    public async Task Run_StreamWithPredictModelKilledThenStartedAgain_PredictsEveryLandedImageOnceInThePartOfItsFeatures()
    {
        DigitsSubset.CopyTo(_dir.Combine("train"), classes: 3, perClass: 4);
        File.WriteAllText(_dir.Combine("train.yaml"), """
            name: train
            source: { kind: folder, path: train }
            model: { name: resnet18 }
            featurize: { device: cpu, batchSize: 8, parallelism: 1 }
            split: { testFraction: 0 }
            train: { maxIter: 5 }
            output: train
            """);
        using (var training = await PipelineProcess.RunAsync(_dir.Path, "run", "train.yaml"))
        {
            Assert.True(training.ExitCode == 0, training.Output);
        }

        // Parts of 20 rows: micro-batches of at most 8 are merged, with their predictions, while the stream runs.
        File.WriteAllText(_dir.Combine("stream.yaml"), StreamPipeline.Replace("parallelism: 1 }", "parallelism: 1, rowsPerPart: 20 }", StringComparison.Ordinal) + "\npredict: { model: runs/train/model }\n");
        var images = Stage(classes: 3, perClass: 12);
        foreach (var image in images.Take(18))
        {
            StagedImages.Land(image);
        }

        using (var killed = PipelineProcess.Start(_dir.Path, "run", "stream.yaml"))
        {
            await UntilRowsAsync(killed, 8);
            killed.KillHard();
            await killed.WaitForExitAsync();
        }

        foreach (var image in images.Skip(18))
        {
            StagedImages.Land(image);
        }

        using var restarted = PipelineProcess.Start(_dir.Path, "run", "stream.yaml");
        await UntilRowsAsync(restarted, images.Length);
        await Poll.UntilAsync(
            () => DuckDbQuery.Count($"SELECT count(*) FROM read_parquet('{Path.Combine(ResolvedFeatures(), "..", "predictions", "*.parquet")}', filename = true) GROUP BY filename ORDER BY 1 DESC LIMIT 1") >= 20,
            PipelineProcess.Patience,
            TimeSpan.FromMilliseconds(100));
        restarted.Terminate();
        await restarted.WaitForExitAsync();

        Assert.True(restarted.ExitCode == 0, restarted.Output);
        var features = Path.Combine(_runFolder, "features");
        var predictions = Path.Combine(_runFolder, "predictions");
        var featureParts = Directory.GetFiles(features, "part-*.parquet").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(featureParts, Directory.GetFiles(predictions, "part-*.parquet").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList());
        Assert.Empty(Directory.GetFiles(predictions, ".*"));
        foreach (var part in featureParts)
        {
            Assert.Equal(PathsOf(Path.Combine(features, part!)), PathsOf(Path.Combine(predictions, part!)));
        }

        var rows = DuckDbQuery.Rows($"SELECT path, label, predicted_label FROM read_parquet('{Path.Combine(predictions, "part-*.parquet")}')");
        Assert.Equal(images.Select(i => i.Landed).Order(StringComparer.Ordinal), rows.Select(r => (string)r[0]).Order(StringComparer.Ordinal));
        Assert.All(rows, r => Assert.Contains((string)r[2], (string[])["0", "1", "2"]));
        Assert.Equal(images.Select(i => (i.Landed, i.Label)).Order(), rows.Select(r => ((string)r[0], (string)r[1])).Order());
    }

    [Fact]
    public async Task Worker_StreamFileInTheInbox_StreamsUntilSigtermThenReturnsTheFileAndExits0()
    {
        var images = Stage(classes: 2, perClass: 10);
        Directory.CreateDirectory(_dir.Combine("inbox"));
        using var worker = PipelineProcess.Start(_dir.Path, "worker", "--Pipeline:Worker:PollInterval=00:00:00.200");
        File.Move(_dir.Combine("stream.yaml"), _dir.Combine("inbox", "stream.yaml"));
        foreach (var image in images.Take(10))
        {
            StagedImages.Land(image);
        }

        await UntilRowsAsync(worker, 10);

        // Still streaming: what lands later is taken by the same run.
        foreach (var image in images.Skip(10))
        {
            StagedImages.Land(image);
        }

        await UntilRowsAsync(worker, images.Length);
        worker.Terminate();
        await worker.WaitForExitAsync();

        Assert.True(worker.ExitCode == 0, worker.Output);
        Assert.True(File.Exists(_dir.Combine("inbox", "stream.yaml")), worker.Output);
        Assert.Equal((images.Length, images.Length), CountRows());
        Assert.Equal(("interrupted", true), RunState());
    }

    private StagedImage[] Stage(int classes, int perClass) => StagedImages.Stage(_staging, _landing, classes, perClass);

    /// <summary>Polls until the committed parts hold <paramref name="count"/> rows; fails if the run ended first.</summary>
    private Task UntilRowsAsync(PipelineProcess run, int count) => Poll.UntilAsync(
        () => CountRows().Rows >= count,
        PipelineProcess.Patience,
        TimeSpan.FromMilliseconds(100),
        () => Assert.False(run.HasExited, $"the stream ended before {count} rows were committed:{Environment.NewLine}{run.Output}"));

    /// <summary>
    /// Rows and distinct paths in the committed part files, read by DuckDB under the folder the
    /// <c>features</c> link names, resolved once as a reader must while the stream merges parts; (0, 0) before the first part.
    /// </summary>
    private (long Rows, long Paths) CountRows()
    {
        var features = ResolvedFeatures();
        if (!Directory.Exists(features) || Directory.GetFiles(features, "*.parquet").Length == 0)
        {
            return (0, 0);
        }

        var row = Assert.Single(DuckDbQuery.Rows($"SELECT count(*), count(DISTINCT path) FROM read_parquet('{Path.Combine(features, "*.parquet")}')"));
        return (Convert.ToInt64(row[0], CultureInfo.InvariantCulture), Convert.ToInt64(row[1], CultureInfo.InvariantCulture));
    }

    private string ResolvedFeatures()
    {
        var features = Path.Combine(_runFolder, "features");
        return Directory.Exists(features) ? Directory.ResolveLinkTarget(features, returnFinalTarget: true)?.FullName ?? features : features;
    }

    private static List<string> PathsOf(string part) =>
        [.. DuckDbQuery.Rows($"SELECT path FROM read_parquet('{part}') ORDER BY path").Select(r => (string)r[0])];

    private (string State, bool Stream) RunState()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(_runFolder, "run.json")));
        var run = json.RootElement;
        return (run.GetProperty("state").GetString()!, run.TryGetProperty("stream", out var stream) && stream.GetBoolean());
    }
}
