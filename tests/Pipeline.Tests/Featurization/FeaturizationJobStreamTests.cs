using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Featurization;

/// <summary>
/// A stream over an endless source (<see cref="LandingSource"/>): micro-batches committed as they
/// are inferred, readable while the stream goes on, landed files archived or deleted only once
/// committed, a stop that ends the stream, and a restart over what a kill leaves behind.
/// </summary>
public sealed class FeaturizationJobStreamTests : IDisposable
{
    /// <summary>
    /// What a commit may take beyond maxDelaySeconds: one batch through ResNet18 on the CPU and a
    /// Parquet part take well under a second alone, and the shared 2-core machine can be ten times slower.
    /// </summary>
    private static readonly TimeSpan CommitMargin = TimeSpan.FromSeconds(10);

    /// <summary>An upper bound for a loaded machine, never a timing assertion.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    private readonly TempFolder _landing = new();
    private readonly TempFolder _output = new();

    public void Dispose()
    {
        _landing.Dispose();
        _output.Dispose();
    }

    [Fact]
    public async Task RunAsync_BatchSmallerThanBatchSize_IsCommittedMaxDelayAfterItsImage()
    {
        var maxDelay = TimeSpan.FromSeconds(1);
        var source = new LandingSource("a", "b");
        using var stop = new CancellationTokenSource();
        var run = StartAsync(source, new StreamOptions { MaxBatchDelay = maxDelay }, stop.Token);
        await source.Reading.WaitAsync(Patience);

        var path = source.Land(_landing.Path, "a", 1);
        var clock = Stopwatch.StartNew();
        await Poll.UntilAsync(() => Parts().Count == 1, Patience, Interval, () => ThrowIfEnded(run));
        var committedAfter = clock.Elapsed;

        // A batch of one out of four is released only by the delay: never before it, and soon after.
        Assert.True(committedAfter >= maxDelay, $"committed {committedAfter} after landing, before the {maxDelay} delay");
        Assert.True(committedAfter <= maxDelay + CommitMargin, $"committed {committedAfter} after landing");
        Assert.Equal([path], await StoredPathsAsync());
        Assert.Equal(path, DuckDbQuery.Rows($"SELECT path FROM read_parquet('{Glob}')").Single().Single());

        await stop.CancelAsync();
        var summary = await run.WaitAsync(Patience);
        Assert.True(summary.IsStream);
        Assert.Equal(1, summary.Featurized);
        Assert.False(File.Exists(Path.Combine(FeatureStoreLayout.FeaturesDirectory(_output.Path), FeatureStoreLayout.SuccessMarker)));
    }

    [Fact]
    public async Task RunAsync_StoppedWithAPartialBatchWaiting_CommitsItAndReturns()
    {
        // Far longer than the test: only the stop can release the batch.
        var maxDelay = TimeSpan.FromMinutes(10);
        var source = new LandingSource("a", "b");
        var counters = new FeaturizationCounters();
        using var stop = new CancellationTokenSource();
        var run = StartAsync(source, new StreamOptions { MaxBatchDelay = maxDelay }, stop.Token, counters);
        var landed = new[] { source.Land(_landing.Path, "a", 1), source.Land(_landing.Path, "b", 2) };
        await Poll.UntilAsync(() => counters.Read == landed.Length, Patience, Interval, () => ThrowIfEnded(run));

        await stop.CancelAsync();
        var summary = await run.WaitAsync(Patience);

        Assert.Equal(landed.Length, summary.Featurized);
        Assert.Equal(landed.Order(StringComparer.Ordinal), await StoredPathsAsync());
    }

    [Fact]
    public async Task RunAsync_ImagesLandingInWaves_EachCommittedPartIsCompleteAndReadableWhileTheStreamGoesOn()
    {
        var source = new LandingSource("a", "b");
        using var stop = new CancellationTokenSource();
        var run = StartAsync(source, new StreamOptions { MaxBatchDelay = TimeSpan.FromMilliseconds(300) }, stop.Token);
        var landed = new List<string>();
        var seed = 0;

        foreach (var wave in new[] { 3, 5, 1 })
        {
            for (var i = 0; i < wave; i++, seed++)
            {
                landed.Add(source.Land(_landing.Path, seed % 2 == 0 ? "a" : "b", seed));
            }

            await Poll.UntilAsync(() => DuckDbRows() == landed.Count, Patience, Interval, () => ThrowIfEnded(run));

            // Every part a reader sees is whole: both readers agree on it, and no row appears twice.
            // A part is one micro-batch, or (once 8 rows are in) a merge of them with at least a part's rows.
            Assert.Equal(landed.Order(StringComparer.Ordinal), await StoredPathsAsync());
            Assert.Equal(landed.Count, DuckDbQuery.Count($"SELECT count(DISTINCT path) FROM read_parquet('{Glob}')"));
            Assert.All(Parts(), part =>
            {
                var rows = DuckDbQuery.Count($"SELECT count(*) FROM read_parquet('{part}')");
                Assert.True(rows is >= 1 and <= TestFeaturization.BatchSize || rows >= TestFeaturization.RowsPerPart, $"{part} holds {rows} rows");
            });
        }

        await stop.CancelAsync();
        var summary = await run.WaitAsync(Patience);
        Assert.Equal(landed.Count, summary.Featurized);
        Assert.Empty(await RejectsReader.ReadAsync(_output.Path));
    }

    [Fact]
    public async Task RunAsync_ACommittedImageLandsAgainUnchanged_IsSkippedNotStoredTwice()
    {
        // A watch source forgets a taken file after its window; a chmod then makes it land again, unchanged.
        var source = new LandingSource("a", "b");
        var counters = new FeaturizationCounters();
        using var stop = new CancellationTokenSource();
        var run = StartAsync(source, new StreamOptions { MaxBatchDelay = TimeSpan.FromMilliseconds(200) }, stop.Token, counters);
        var path = source.Land(_landing.Path, "a", 1);
        await Poll.UntilAsync(() => DuckDbRows() == 1, Patience, Interval, () => ThrowIfEnded(run));

        source.Land(path, "a");
        var other = source.Land(_landing.Path, "b", 2);
        await Poll.UntilAsync(() => DuckDbRows() == 2, Patience, Interval, () => ThrowIfEnded(run));
        await stop.CancelAsync();
        var summary = await run.WaitAsync(Patience);

        Assert.Equal(new[] { path, other }.Order(StringComparer.Ordinal), await StoredPathsAsync());
        Assert.Equal((2L, 1L), (summary.Featurized, summary.Cached));
    }

    [Fact]
    public async Task RunAsync_AfterDelete_DeletesALandedFileOnlyOnceItsRowOrRejectIsCommitted()
    {
        var source = new LandingSource("a", "b");
        using var stop = new CancellationTokenSource();
        var run = StartAsync(source, new StreamOptions { MaxBatchDelay = TimeSpan.FromMilliseconds(200), After = LandedFileAction.Delete }, stop.Token);
        var landed = Enumerable.Range(0, 6).Select(i => source.Land(_landing.Path, i % 2 == 0 ? "a" : "b", i)).ToList();
        var corrupt = LandCorrupt(source);

        await WatchLandingFolderAsync(run, [.. landed, corrupt]);

        Assert.Equal(landed.Order(StringComparer.Ordinal), await StoredPathsAsync());
        Assert.Equal([corrupt], (await RejectsReader.ReadAsync(_output.Path)).Select(r => r.Path));
        await stop.CancelAsync();
        await run.WaitAsync(Patience);
    }

    [Fact]
    public async Task RunAsync_AfterArchive_MovesALandedFileUnderItsFullPathOnlyOnceCommitted()
    {
        var archive = Path.Combine(_output.Path, "archive");
        var source = new LandingSource("a", "b");
        using var stop = new CancellationTokenSource();
        var run = StartAsync(source, new StreamOptions { MaxBatchDelay = TimeSpan.FromMilliseconds(200), After = LandedFileAction.Archive, ArchiveFolder = archive }, stop.Token);
        var landed = Enumerable.Range(0, 5).Select(i => source.Land(_landing.Path, i % 2 == 0 ? "a" : "b", i)).ToList();

        await WatchLandingFolderAsync(run, landed);

        Assert.Equal(landed.Order(StringComparer.Ordinal), await StoredPathsAsync());
        Assert.All(landed.Select((path, seed) => (path, seed)), file =>
            Assert.Equal(GeneratedImages.Png(file.seed), File.ReadAllBytes(Path.Combine(archive, file.path.TrimStart('/')))));
        await stop.CancelAsync();
        await run.WaitAsync(Patience);
    }

    /// <summary>
    /// The states a SIGKILL can leave, made by hand after a stream: a part half-written (a hidden
    /// temporary file), a committed image whose archive move never ran, and landed images no part
    /// holds. The restart redoes exactly the uncommitted images and settles the committed one.
    /// </summary>
    [Fact]
    public async Task RunAsync_RestartOverWhatAKillLeaves_HoldsEveryLandedImageExactlyOnce()
    {
        var archive = Path.Combine(_output.Path, "archive");
        var options = new StreamOptions { MaxBatchDelay = TimeSpan.FromMilliseconds(200), After = LandedFileAction.Archive, ArchiveFolder = archive };
        var first = new LandingSource("a", "b");
        var committed = new List<string>();
        using (var stop = new CancellationTokenSource())
        {
            var run = StartAsync(first, options, stop.Token);
            committed.AddRange(Enumerable.Range(0, 6).Select(i => first.Land(_landing.Path, "a", i)));
            await WatchLandingFolderAsync(run, committed);
            await stop.CancelAsync();
            await run.WaitAsync(Patience);
        }

        // Killed after its commit but before its move: the file is back where it landed, stamp unchanged.
        var unmoved = committed[2];
        File.Move(Path.Combine(archive, unmoved.TrimStart('/')), unmoved);
        var halfWritten = FeatureStoreLayout.TemporaryPath(Path.Combine(
            FeatureStoreLayout.FeaturesDirectory(_output.Path), FeatureStoreLayout.PartFileName(Parts().Count, FeatureStoreLayout.ParquetExtension)));
        File.WriteAllBytes(halfWritten, [(byte)'P', (byte)'A', (byte)'R', (byte)'1', 0, 0, 0]);

        var second = new LandingSource("a", "b");
        var counters = new FeaturizationCounters();
        using (var stop = new CancellationTokenSource())
        {
            var run = StartAsync(second, options, stop.Token, counters);
            second.Land(unmoved, "a");
            var uncommitted = Enumerable.Range(6, 3).Select(i => second.Land(_landing.Path, "b", i)).ToList();
            await WatchLandingFolderAsync(run, [unmoved, .. uncommitted]);
            await stop.CancelAsync();
            await run.WaitAsync(Patience);
            committed.AddRange(uncommitted);
        }

        Assert.Equal(1, counters.Cached);
        Assert.Equal(3, counters.Featurized);
        Assert.False(File.Exists(halfWritten));
        Assert.Equal(committed.Count, DuckDbRows());
        Assert.Equal(committed.Order(StringComparer.Ordinal), DuckDbQuery.Rows($"SELECT DISTINCT path FROM read_parquet('{Glob}') ORDER BY path").Select(r => (string)r[0]));
        Assert.True(File.Exists(Path.Combine(archive, unmoved.TrimStart('/'))));
    }

    private string Glob => Path.Combine(Features, "*.parquet");

    /// <summary>The folder <c>features</c> names now, resolved once as a reader must while the stream merges parts (README, Generations).</summary>
    private string Features => FeatureStoreGenerations.ResolveFeatures(_output.Path);

    private Task<FeaturizationSummary> StartAsync(LandingSource source, StreamOptions stream, CancellationToken stop, FeaturizationCounters? counters = null)
    {
        var options = TestFeaturization.Options with { Stream = stream };
        return Task.Run(() => FeaturizationJob.RunAsync(source, TestFeaturization.ResNet18, _output.Path, options, counters ?? new FeaturizationCounters(), NullLogger.Instance, stop));
    }

    private string LandCorrupt(LandingSource source)
    {
        var path = Path.Combine(_landing.Path, "b", "corrupt.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        source.Land(path, "b");
        return path;
    }

    /// <summary>
    /// Until every file of <paramref name="landed"/> has left the landing folder, checks that each
    /// one gone is committed: its row in a part or its reject in the table. Existence is read first,
    /// so a file seen gone must already be in what is read after.
    /// </summary>
    private async Task WatchLandingFolderAsync(Task run, List<string> landed)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var gone = landed.Where(path => !File.Exists(path)).ToList();
            var settled = (await StoredPathsAsync()).Concat((await RejectsReader.ReadAsync(_output.Path)).Select(r => r.Path)).ToHashSet(StringComparer.Ordinal);
            Assert.All(gone, path => Assert.Contains(path, settled));
            if (gone.Count == landed.Count)
            {
                return;
            }

            ThrowIfEnded(run);
            Assert.True(clock.Elapsed < Patience, $"{landed.Count - gone.Count} landed files still in place after {Patience}");
            await Task.Delay(Interval);
        }
    }

    private IReadOnlyList<string> Parts() => FeatureStoreLayout.FindParquetParts(Features);

    private long DuckDbRows() => Parts().Count == 0 ? 0 : DuckDbQuery.Count($"SELECT count(*) FROM read_parquet('{Glob}')");

    private async Task<List<string>> StoredPathsAsync()
    {
        if (Parts().Count == 0)
        {
            return [];
        }

        var store = await FeatureStoreReader.OpenAsync(_output.Path);
        var paths = new List<string>();
        await foreach (var record in store.ReadRecordsAsync())
        {
            paths.Add(record.Path);
        }

        return [.. paths.Order(StringComparer.Ordinal)];
    }

    /// <summary>A stream ends only when stopped; one that ended on its own failed, and its error says why.</summary>
    private static void ThrowIfEnded(Task run)
    {
        if (run.IsCompleted)
        {
            run.GetAwaiter().GetResult();
            throw new InvalidOperationException("The stream ended before it was stopped.");
        }
    }
}
