using System.Globalization;
using Pipeline.FeatureStore;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// Compaction as real processes: a stream that merges its micro-batch parts while this test reads the
/// store in a loop (our reader, and DuckDB over the folder the <c>features</c> link names), a stream
/// killed mid-compaction and restarted, and <c>pipeline store compact</c> under a reading loop. Every
/// read holds each committed image exactly once, and no read misses an image an earlier read saw.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class StreamCompactionEndToEndTests : IDisposable
{
    private const int RowsPerPart = 8;

    private const string StreamPipeline = """
        name: stream
        source: { kind: watch, path: landing }
        model: { name: resnet18 }
        featurize: { device: cpu, batchSize: 3, parallelism: 1, rowsPerPart: 8 }
        stream: { maxDelaySeconds: 0.3 }
        output: stream
        """;

    private readonly TempFolder _dir = new();
    private readonly string _staging;
    private readonly string _landing;
    private readonly string _runFolder;

    public StreamCompactionEndToEndTests()
    {
        _staging = _dir.Combine("staging");
        _landing = _dir.Combine("landing");
        _runFolder = _dir.Combine("runs", "stream");
        File.WriteAllText(_dir.Combine("stream.yaml"), StreamPipeline);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_StreamCompactsWhileAReaderLoops_EveryReadHoldsEachCommittedImageOnce()
    {
        var images = Stage(classes: 3, perClass: 12);
        using var run = PipelineProcess.Start(_dir.Path, "run", "stream.yaml");
        using var reading = new CancellationTokenSource();
        var reader = Task.Run(() => ReadInALoopAsync(_runFolder, images.Select(i => i.Landed).ToHashSet(StringComparer.Ordinal), reading.Token));
        var landed = 0;
        foreach (var wave in images.Chunk(6))
        {
            foreach (var image in wave)
            {
                StagedImages.Land(image);
            }

            landed += wave.Length;
            await UntilAsync(run, () => CommittedPaths(_runFolder).Count >= landed);
        }

        // Every small part merged but fewer than a part's rows.
        await UntilAsync(run, () => SmallRows() < RowsPerPart);
        await reading.CancelAsync();
        var reads = await reader;
        run.Terminate();
        await run.WaitForExitAsync();

        Assert.True(run.ExitCode == 0, run.Output);
        Assert.True(reads > 5, $"{reads} reads");
        Assert.Equal(images.Select(i => i.Landed).Order(StringComparer.Ordinal), CommittedPaths(_runFolder).Order(StringComparer.Ordinal));
        Assert.Equal(images.Length, (await FeatureStoreReader.OpenAsync(_runFolder)).Count);
        Assert.Contains("Compacted", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_KilledWhileCompactingThenStartedAgain_HoldsEveryLandedImageExactlyOnce()
    {
        var images = Stage(classes: 3, perClass: 10);
        foreach (var image in images.Take(21))
        {
            StagedImages.Land(image);
        }

        using (var killed = PipelineProcess.Start(_dir.Path, "run", "stream.yaml"))
        {
            // Killed as soon as a compaction has begun its generation, or has just swapped it in.
            await UntilAsync(killed, () => Directory.Exists(_runFolder) && Directory.GetDirectories(_runFolder, ".gen-*").Length >= 2);
            killed.KillHard();
            await killed.WaitForExitAsync();
        }

        foreach (var image in images.Skip(21))
        {
            StagedImages.Land(image);
        }

        using var restarted = PipelineProcess.Start(_dir.Path, "run", "stream.yaml");
        await UntilAsync(restarted, () => CommittedPaths(_runFolder).Count >= images.Length && SmallRows() < RowsPerPart);
        restarted.Terminate();
        await restarted.WaitForExitAsync();

        Assert.True(restarted.ExitCode == 0, restarted.Output);
        var paths = CommittedPaths(_runFolder);
        Assert.Equal(images.Select(i => i.Landed).Order(StringComparer.Ordinal), paths.Order(StringComparer.Ordinal));
        // Nothing half-built survives the restart: no generation newer than the live one.
        var live = GenerationNumber(FeatureStoreGenerations.Live(_runFolder)!);
        Assert.All(Directory.GetDirectories(_runFolder, ".gen-*"), g => Assert.InRange(GenerationNumber(g), 1, live));
        Assert.Empty(Directory.GetFiles(Path.Combine(_runFolder, "features"), ".*"));
    }

    [Fact]
    public async Task Run_StreamAdoptedWithoutPredictionsRestartedWithPredictModel_PredictionsFollowEachGeneration()
    {
        // The landing folder's classes, but no image yet: the first start adopts an empty store.
        var images = Stage(classes: 3, perClass: 8);
        using (var first = PipelineProcess.Start(_dir.Path, "run", "stream.yaml"))
        {
            await UntilAsync(first, () => Directory.Exists(_runFolder) && FeatureStoreGenerations.Live(_runFolder) is not null);
            first.Terminate();
            await first.WaitForExitAsync();
            Assert.True(first.ExitCode == 0, first.Output);
        }

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

        File.WriteAllText(_dir.Combine("stream.yaml"), StreamPipeline + "\npredict: { model: runs/train/model }\n");
        using var restarted = PipelineProcess.Start(_dir.Path, "run", "stream.yaml");
        foreach (var image in images)
        {
            StagedImages.Land(image);
        }

        await UntilAsync(restarted, () => CommittedPaths(_runFolder).Count >= images.Length && SmallRows() < RowsPerPart);
        restarted.Terminate();
        await restarted.WaitForExitAsync();

        Assert.True(restarted.ExitCode == 0, restarted.Output);
        var predictions = Path.Combine(_runFolder, "predictions");
        Assert.NotNull(new FileInfo(predictions).LinkTarget);
        var live = FeatureStoreGenerations.Live(_runFolder)!;
        Assert.Equal(PartNames(Path.Combine(live, "features")), PartNames(Path.Combine(live, "predictions")));
        Assert.Equal(PartNames(Path.Combine(live, "features")), PartNames(predictions));
        Assert.Equal(
            images.Select(i => i.Landed).Order(StringComparer.Ordinal),
            DuckDbQuery.Rows($"SELECT path FROM read_parquet('{Path.Combine(live, "predictions")}/*.parquet')").Select(r => (string)r[0]).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task StoreCompact_WhileAReaderLoops_MergesAndEveryReadHoldsEveryRowOnce()
    {
        var store = _dir.Combine("store");
        await using (var writer = await FeatureStoreWriter.CreateAsync(store, SyntheticFeatures.Metadata(4), new FeatureStoreOptions(), CancellationToken.None))
        {
            for (var part = 0; part < 120; part++)
            {
                await SyntheticFeatures.WriteRowsAsync(writer, part, 1, 1);
                await writer.CommitAsync(CancellationToken.None);
            }
        }

        var expected = Enumerable.Range(0, 120).Select(SyntheticFeatures.PathOf).ToHashSet(StringComparer.Ordinal);
        using var reading = new CancellationTokenSource();
        var reader = Task.Run(() => ReadInALoopAsync(store, expected, reading.Token, mustHoldAll: true));
        using var compact = await PipelineProcess.RunAsync(_dir.Path, "store", "compact", store, "--rows-per-part", "25");
        await reading.CancelAsync();
        var reads = await reader;

        Assert.True(compact.ExitCode == 0, compact.Output);
        Assert.Contains($"Merged 100 small parts into 4 parts of 100 rows in {store}; 20 rows stay in small parts.", compact.StandardOutput, StringComparison.Ordinal);
        Assert.True(reads > 0);
        Assert.Equal(expected.Order(StringComparer.Ordinal), CommittedPaths(store).Order(StringComparer.Ordinal));
        Assert.Equal(24, Directory.GetFiles(Path.Combine(store, "features"), "part-*.parquet").Length);
    }

    [Fact]
    public async Task StoreCompact_GraceSecondsZero_DeletesTheGenerationTheLastCompactionRetired()
    {
        var store = _dir.Combine("store");
        await using (var writer = await FeatureStoreWriter.CreateAsync(store, SyntheticFeatures.Metadata(4), new FeatureStoreOptions(), CancellationToken.None))
        {
            for (var part = 0; part < 4; part++)
            {
                await SyntheticFeatures.WriteRowsAsync(writer, part, 1, 1);
                await writer.CommitAsync(CancellationToken.None);
            }
        }

        using (var first = await PipelineProcess.RunAsync(_dir.Path, "store", "compact", store, "--rows-per-part", "2"))
        {
            Assert.True(first.ExitCode == 0, first.Output);
        }

        Assert.Equal([".gen-1", ".gen-2"], Directory.GetDirectories(store, ".gen-*").Select(Path.GetFileName).Order(StringComparer.Ordinal));
        using var second = await PipelineProcess.RunAsync(_dir.Path, "store", "compact", store, "--rows-per-part", "2", "--grace-seconds", "0");

        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Equal([".gen-2"], Directory.GetDirectories(store, ".gen-*").Select(Path.GetFileName));
        Assert.Equal(4, (await FeatureStoreReader.OpenAsync(store)).Count);
    }

    [Fact]
    public async Task StoreCompact_StoreBeingWritten_ExitsOneNamingTheWritersPid()
    {
        var store = _dir.Combine("store");
        await using (var writer = await FeatureStoreWriter.CreateAsync(store, SyntheticFeatures.Metadata(4), new FeatureStoreOptions(), CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 2, 1);
        }

        using var writing = FeatureStoreWriter.Lock(store);
        using var compact = await PipelineProcess.RunAsync(_dir.Path, "store", "compact", store);

        Assert.Equal(1, compact.ExitCode);
        Assert.Contains($"pid {Environment.ProcessId}", compact.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Reads the store until cancelled, our reader and DuckDB alternately, each through the
    /// <c>features</c> link resolved once; fails on a path seen twice in one read, a path not in
    /// <paramref name="allowed"/>, or one an earlier read saw and a later one lacks.
    /// </summary>
    private static async Task<int> ReadInALoopAsync(string store, HashSet<string> allowed, CancellationToken stop, bool mustHoldAll = false)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var reads = 0;
        while (!stop.IsCancellationRequested || reads == 0)
        {
            var paths = reads % 2 == 0 ? await OurReaderPathsAsync(store) : CommittedPaths(store);
            var distinct = paths.ToHashSet(StringComparer.Ordinal);
            Assert.True(distinct.Count == paths.Count, $"read {reads} saw {paths.Count - distinct.Count} rows twice");
            Assert.Subset(allowed, distinct);
            Assert.Superset(seen, distinct);
            Assert.True(!mustHoldAll || distinct.Count == allowed.Count, $"read {reads} saw {distinct.Count} of {allowed.Count} rows");
            seen = distinct;
            reads++;
        }

        return reads;
    }

    private static async Task<List<string>> OurReaderPathsAsync(string store)
    {
        if (FeatureStoreLayout.FindParquetParts(Path.Combine(store, "features")).Count == 0)
        {
            return [];
        }

        var reader = await FeatureStoreReader.OpenAsync(store);
        return await reader.ReadRecordsAsync().Select(r => r.Path).ToListAsync();
    }

    /// <summary>The paths in every part of the folder <c>features</c> names, resolved once, read by DuckDB.</summary>
    private static List<string> CommittedPaths(string store)
    {
        var features = Path.Combine(store, "features");
        if (!Directory.Exists(features))
        {
            return [];
        }

        var resolved = Directory.ResolveLinkTarget(features, returnFinalTarget: true)?.FullName ?? features;
        return Directory.GetFiles(resolved, "*.parquet").Length == 0
            ? []
            : [.. DuckDbQuery.Rows($"SELECT path FROM read_parquet('{resolved}/*.parquet')").Select(r => (string)r[0])];
    }

    /// <summary>Rows in parts smaller than a part, read from the footers.</summary>
    private long SmallRows()
    {
        var resolved = Directory.ResolveLinkTarget(Path.Combine(_runFolder, "features"), returnFinalTarget: true)?.FullName;
        if (resolved is null || Directory.GetFiles(resolved, "*.parquet").Length == 0)
        {
            return long.MaxValue;
        }

        return DuckDbQuery.Rows($"SELECT count(*) FROM read_parquet('{resolved}/*.parquet', filename = true) GROUP BY filename HAVING count(*) < {RowsPerPart}")
            .Sum(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture));
    }

    private static string[] PartNames(string folder) =>
        [.. Directory.GetFiles(folder, "part-*.parquet").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static int GenerationNumber(string folder) => int.Parse(Path.GetFileName(folder).AsSpan(".gen-".Length), CultureInfo.InvariantCulture);

    private static Task UntilAsync(PipelineProcess run, Func<bool> condition) => Poll.UntilAsync(
        condition,
        PipelineProcess.Patience,
        TimeSpan.FromMilliseconds(100),
        () => Assert.False(run.HasExited, $"the stream ended first:{Environment.NewLine}{run.Output}"));

    private StagedImage[] Stage(int classes, int perClass) => StagedImages.Stage(_staging, _landing, classes, perClass);
}
