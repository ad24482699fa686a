using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Sources;
using Pipeline.Tests.Featurization;

namespace Pipeline.Tests.Sources;

public sealed class WatchImageSourceTests : IDisposable
{
    /// <summary>Short intervals so that a test takes well under a second of waiting; the defaults are the catalog's.</summary>
    private static readonly WatchOptions Fast = new()
    {
        Settle = TimeSpan.FromMilliseconds(300),
        Rescan = TimeSpan.FromMilliseconds(250),
        Window = TimeSpan.FromMilliseconds(200),
    };

    private readonly TempFolder _folder = new();

    private string Inbox => _folder.Combine("inbox");

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task ReadAsync_BackfillThenWavesOfAtomicMoves_YieldsEachImageOnceWithItsLabel()
    {
        var expected = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (path, label) in GeneratedImagesIn(Inbox, 0, 9, "cat", "dog", "eel"))
        {
            // Files there for a while: fresh ones would still be settling and come in settling order.
            File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(-1));
            expected.Add(path, label);
        }

        var backfill = new FolderImageSource(Inbox);
        var backfillOrder = (await backfill.ReadAllAsync()).Select(i => i.Path).ToList();
        await using var watching = new Watching(new WatchImageSource(Inbox, Fast, NullLogger.Instance));
        await watching.UntilAsync(() => watching.Yielded.Count == backfillOrder.Count);

        for (var wave = 1; wave <= 3; wave++)
        {
            foreach (var (path, label) in MovedIn(wave * 100, 10, ["cat", "dog", "eel"]))
            {
                expected.Add(path, label);
            }

            await watching.UntilAsync(() => watching.Yielded.Count >= expected.Count);
        }

        // One more landing after every wave has been taken: a listing that repeated a file would show by now.
        var last = MovedIn(999, 1, ["dog"]).Single();
        expected.Add(last.Path, last.Label);
        await watching.UntilYieldedAsync(last.Path);

        var yielded = watching.Yielded;
        Assert.Equal(backfillOrder, yielded.Take(backfillOrder.Count).Select(i => i.Path));
        Assert.Equal(expected.Count, yielded.Count);
        Assert.Equal(expected.OrderBy(e => e.Key, StringComparer.Ordinal), yielded.Select(i => KeyValuePair.Create(i.Path, i.Label)).OrderBy(e => e.Key, StringComparer.Ordinal));
        Assert.All(yielded, i => Assert.Equal(i.Label, watching.Source.Classes.Names[i.LabelIndex]));
        Assert.Equal(Enumerable.Range(0, yielded.Count).Select(i => (long)i), yielded.Select(i => i.Ordinal));
        Assert.All(yielded, i => Assert.Equal(new FileInfo(i.Path).Length, i.FileBytes));
    }

    [Fact]
    public async Task ReadAsync_FileWithFutureMtimePresentBeforeTheWatch_IsYielded()
    {
        var (path, _) = GeneratedImagesIn(Inbox, 0, 1, "cat").Single();
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddHours(1));

        // Its ctime must lie below the first listing's watermark, as it does for a file long in the folder.
        await Task.Delay(Fast.Settle + Fast.Window + TimeSpan.FromMilliseconds(100));
        await using var watching = new Watching(new WatchImageSource(Inbox, Fast, NullLogger.Instance));

        await watching.UntilYieldedAsync(path);
        Assert.Equal([path], watching.Yielded.Select(i => i.Path));
    }

    [Fact]
    public async Task ReadAsync_FileMovedIn_CarriesItsArrivalTimeForTheLatency()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "cat"));
        await using var watching = new Watching(new WatchImageSource(Inbox, Fast, NullLogger.Instance));
        var (path, _) = MovedIn(0, 1, ["cat"]).Single();

        await watching.UntilYieldedAsync(path);

        Assert.True(Pipeline.IO.Statx.TryGet(path, out var status));
        Assert.Equal(status.ChangedUnixNs, watching.Yielded.Single().LandedUnixNs);
    }

    [Fact]
    public async Task ReadAsync_FileWrittenSlowlyInPlace_IsYieldedOnceAfterItStopsChangingAndComplete()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "cat"));

        // A settle interval far above the pauses, so that a loaded machine's late wake-ups stay below it.
        var options = Fast with { Settle = TimeSpan.FromSeconds(2) };
        await using var watching = new Watching(new WatchImageSource(Inbox, options, NullLogger.Instance));
        var slow = Path.Combine(Inbox, "cat", "slow.png");
        var content = GeneratedImages.Png(7);

        var lastWrite = Stopwatch.StartNew();
        await using (var stream = new FileStream(slow, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite))
        {
            // Pauses shorter than the settle interval, each after a write the watcher reports.
            var chunk = (content.Length / 8) + 1;
            for (var offset = 0; offset < content.Length; offset += chunk)
            {
                await stream.WriteAsync(content.AsMemory(offset, Math.Min(chunk, content.Length - offset)));
                await stream.FlushAsync();
                Assert.Empty(watching.Yielded);
                lastWrite.Restart();
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
        }

        await watching.UntilYieldedAsync(slow);
        var sinceLastWrite = lastWrite.Elapsed;
        var sentinel = MovedIn(1, 1, ["cat"]).Single().Path;
        await watching.UntilYieldedAsync(sentinel);

        var image = Assert.Single(watching.Yielded, i => i.Path == slow);
        Assert.Equal(content.Length, image.FileBytes);
        Assert.True(sinceLastWrite >= options.Settle - TimeSpan.FromMilliseconds(20), $"yielded {sinceLastWrite.TotalMilliseconds} ms after the last write");
        Assert.Equal(2, watching.Yielded.Count);
    }

    [Fact]
    public async Task ReadAsync_InFlightAndHiddenNames_AreNeverYielded()
    {
        _folder.Write("inbox/cat/never.png.tmp", GeneratedImages.Png(1));
        _folder.Write("inbox/cat/upload.png.part", GeneratedImages.Png(2));
        _folder.Write("inbox/cat/copy.png._COPYING_", GeneratedImages.Png(3));
        _folder.Write("inbox/cat/.hidden.png", GeneratedImages.Png(4));
        _folder.Write("inbox/cat/.staging/inside.png", GeneratedImages.Png(5));
        _folder.Write("inbox/.trash/cat/old.png", GeneratedImages.Png(6));
        _folder.Write("inbox/top-level.png", GeneratedImages.Png(7));
        await using var watching = new Watching(new WatchImageSource(Inbox, Fast, NullLogger.Instance));

        // A temporary name renamed to its final one in place is taken, once, under the final name.
        var renamed = _folder.Write("inbox/cat/done.png.tmp", GeneratedImages.Png(8));
        await using (var stream = File.OpenWrite(Path.Combine(Inbox, "cat", "never.png.tmp")))
        {
            stream.Seek(0, SeekOrigin.End);
            stream.WriteByte(1);
        }

        File.Move(renamed, Path.Combine(Inbox, "cat", "done.png"));
        await watching.UntilYieldedAsync(Path.Combine(Inbox, "cat", "done.png"));
        var sentinel = MovedIn(1, 1, ["cat"]).Single().Path;
        await watching.UntilYieldedAsync(sentinel);

        Assert.Equal(["cat/done.png", "cat/img-001.png"], watching.Relative(Inbox));
    }

    [Fact]
    public async Task ReadAsync_FileWrittenInPlaceForASecond_StartsNoListingPerWrite()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "cat"));
        var quiet = WatchOptions.Default with { Rescan = TimeSpan.FromHours(1) };
        await using var watching = new Watching(new WatchImageSource(Inbox, quiet, NullLogger.Instance));
        await Poll.UntilAsync(() => watching.Source.Listings >= 1, TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(10));

        // An upload under a temporary name, written in 20 pieces: the source skips it, so it must cost
        // no listing per write (only its creation is a name event).
        await using (var upload = new FileStream(Path.Combine(Inbox, "cat", "upload.png.tmp"), FileMode.CreateNew))
        {
            for (var i = 0; i < 20; i++)
            {
                await upload.WriteAsync(GeneratedImages.Png(i));
                await upload.FlushAsync();
                await Task.Delay(TimeSpan.FromMilliseconds(50));
            }
        }

        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.InRange(watching.Source.Listings, 1, 3);
    }

    [Fact]
    public async Task ReadAsync_StormOfMoves_YieldsEveryFileOnce()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "a"));
        Directory.CreateDirectory(Path.Combine(Inbox, "b"));
        await using var watching = new Watching(new WatchImageSource(Inbox, Fast, NullLogger.Instance));

        // Two thousand renames at once: more events than the watcher's queue holds. The source reads
        // no pixels, so one byte per file does.
        var landed = MovedIn(0, 2000, ["a", "b"], png: false);
        await watching.UntilAsync(() => watching.Yielded.Count >= landed.Count);
        var sentinel = MovedIn(5000, 1, ["a"]).Single().Path;
        await watching.UntilYieldedAsync(sentinel);

        Assert.Equal(landed.Select(l => l.Path).Append(sentinel).Order(StringComparer.Ordinal), watching.Yielded.Select(i => i.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReadAsync_NoWatcherEvents_TheRescanFindsEveryFile()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "a"));
        await using var watching = new Watching(new WatchImageSource(Inbox, Fast with { Watcher = false }, NullLogger.Instance));

        var first = MovedIn(0, 5, ["a"]);
        await watching.UntilAsync(() => watching.Yielded.Count == 5);
        var second = MovedIn(10, 5, ["a"]);
        await watching.UntilAsync(() => watching.Yielded.Count == 10);
        var sentinel = MovedIn(20, 1, ["a"]).Single().Path;
        await watching.UntilYieldedAsync(sentinel);

        Assert.Equal([.. first.Concat(second).Select(l => l.Path), sentinel], watching.Yielded.Select(i => i.Path));
    }

    [Fact]
    public async Task ReadAsync_FolderMovedInWithOldFiles_YieldsTheFilesBelowIt()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "a"));
        var batch = GeneratedImages.WriteFolder(_folder.Combine("staging"), 3, "batch");
        await using var watching = new Watching(new WatchImageSource(Inbox, Fast, NullLogger.Instance));
        var marker = MovedIn(0, 1, ["a"]).Single().Path;
        await watching.UntilYieldedAsync(marker);

        // The files' ctime is now older than the window: only the folder's rename is new.
        await Task.Delay(Fast.Settle + Fast.Window + Fast.Rescan);
        Directory.Move(_folder.Combine("staging", "batch"), Path.Combine(Inbox, "a", "batch"));
        var moved = batch.Keys.Select(p => Path.Combine(Inbox, "a", "batch", Path.GetFileName(p))).ToList();
        await watching.UntilAsync(() => watching.Yielded.Count == 4);
        var sentinel = MovedIn(1, 1, ["a"]).Single().Path;
        await watching.UntilYieldedAsync(sentinel);

        Assert.Equal([marker, .. moved.Order(StringComparer.Ordinal), sentinel], watching.Yielded.Select(i => i.Path));
    }

    [Fact]
    public async Task ReadAsync_LabelFolderCreatedLater_IsNotTakenAndNamedInAWarning()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "a"));
        var logger = new ListLogger();
        await using var watching = new Watching(new WatchImageSource(Inbox, Fast, logger));

        MovedIn(0, 2, ["late"]);
        var sentinel = MovedIn(5, 1, ["a"]).Single().Path;
        await watching.UntilYieldedAsync(sentinel);
        await watching.UntilAsync(() => logger.Messages.Any(m => m.Contains(Path.Combine(Inbox, "late"), StringComparison.Ordinal)));
        var again = MovedIn(6, 1, ["a"]).Single().Path;
        await watching.UntilYieldedAsync(again);

        Assert.Equal([sentinel, again], watching.Yielded.Select(i => i.Path));
        Assert.Equal(["a"], watching.Source.Classes.Names);
        var warning = Assert.Single(logger.Messages, m => m.Contains("late", StringComparison.Ordinal));
        Assert.Contains("the class list (a) is fixed at start", warning);
    }

    [Fact]
    public async Task ReadAsync_ManyFilesAgePastTheWindow_RemembersOnlyTheFolders()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "a"));
        Directory.CreateDirectory(Path.Combine(Inbox, "b", "sub"));
        await using var watching = new Watching(new WatchImageSource(Inbox, Fast, NullLogger.Instance));
        var landed = 0;
        for (var wave = 0; wave < 5; wave++)
        {
            landed += MovedIn(wave * 100, 60, ["a", "b"], png: false).Count;
            await watching.UntilAsync(() => watching.Yielded.Count == landed);
        }

        // Three folders (a, b, b/sub) and nothing per file, once every file's ctime is below the watermark.
        await watching.UntilAsync(() => watching.Source.Remembered == 3);

        Assert.Equal(300, Directory.EnumerateFiles(Inbox, "*.png", SearchOption.AllDirectories).Count());
        Assert.Equal(300, watching.Yielded.Select(i => i.Path).Distinct().Count());
    }

    [Fact]
    public async Task ReadAsync_Cancelled_EndsPromptly()
    {
        GeneratedImagesIn(Inbox, 0, 2, "a");
        var source = new WatchImageSource(Inbox, WatchOptions.Default with { Rescan = TimeSpan.FromHours(1) }, NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var enumerator = source.ReadAsync(stop.Token).GetAsyncEnumerator(stop.Token);
        Assert.True(await enumerator.MoveNextAsync());
        Assert.True(await enumerator.MoveNextAsync());
        var waiting = enumerator.MoveNextAsync().AsTask();
        Assert.False(waiting.IsCompleted);

        var clock = Stopwatch.StartNew();
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"took {clock.Elapsed}");
        await enumerator.DisposeAsync();
    }

    [Fact]
    public async Task ReadAsync_FolderRemovedThenRestored_SaysSoAndTakesNothingTwice()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "a"));
        await using var watching = new Watching(new WatchImageSource(Inbox, Fast, NullLogger.Instance));
        var first = MovedIn(0, 2, ["a"]);
        await watching.UntilAsync(() => watching.Yielded.Count == 2);

        Directory.Move(Inbox, _folder.Combine("away"));
        await watching.UntilAsync(() => watching.Source.Problem is not null);
        var problem = watching.Source.Problem;
        Directory.Move(_folder.Combine("away"), Inbox);
        await watching.UntilAsync(() => watching.Source.Problem is null);
        var sentinel = MovedIn(10, 1, ["a"]).Single().Path;
        await watching.UntilYieldedAsync(sentinel);

        Assert.Equal($"Watch folder '{Inbox}' does not exist.", problem);
        Assert.Equal([.. first.Select(f => f.Path), sentinel], watching.Yielded.Select(i => i.Path));
    }

    [Fact]
    public async Task ReadAsync_LabelFolderMovedAwayAndBack_SaysSoAndTakesNothingTwice()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "a"));
        Directory.CreateDirectory(Path.Combine(Inbox, "b"));
        await using var watching = new Watching(new WatchImageSource(Inbox, Fast, NullLogger.Instance));
        var first = MovedIn(0, 2, ["a"]);
        Directory.CreateDirectory(Path.Combine(Inbox, "a", "deep"));
        var deep = Path.Combine(Inbox, "a", "deep", "old.png");
        File.Move(_folder.Write("staging-deep/old.png", GeneratedImages.Png(5)), deep);
        await watching.UntilYieldedAsync(deep);

        // Away for longer than the window, so that the files' ctimes are below the watermark when it is back.
        Directory.Move(Path.Combine(Inbox, "a"), _folder.Combine("a-away"));
        await watching.UntilAsync(() => watching.Source.Problem is not null);
        var problem = watching.Source.Problem;
        await Task.Delay(Fast.Settle + Fast.Window + Fast.Rescan);
        Directory.Move(_folder.Combine("a-away"), Path.Combine(Inbox, "a"));
        await watching.UntilAsync(() => watching.Source.Problem is null);
        var sentinel = MovedIn(10, 1, ["a"]).Single().Path;
        await watching.UntilYieldedAsync(sentinel);

        Assert.Equal($"Label folder '{Path.Combine(Inbox, "a")}' of the watch is missing.", problem);
        Assert.Equal([deep, .. first.Select(f => f.Path), sentinel], watching.Yielded.Select(i => i.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Constructor_MissingFolder_ThrowsNamingIt()
    {
        var e = Assert.Throws<SourceException>(() => new WatchImageSource(Inbox, Fast, NullLogger.Instance));

        Assert.Equal($"Watch folder '{Inbox}' does not exist.", e.Message);
    }

    [Fact]
    public void Constructor_NoLabelFolder_ThrowsSayingTheClassesAreFixedAtStart()
    {
        _folder.Write("inbox/loose.png");
        Directory.CreateDirectory(Path.Combine(Inbox, ".hidden"));

        var e = Assert.Throws<SourceException>(() => new WatchImageSource(Inbox, Fast, NullLogger.Instance));

        Assert.Equal(
            $"Watch folder '{Inbox}' has no label folders (expected {Inbox}/<label>/<image>); create one folder per class before the watch starts, as its class list is fixed then.",
            e.Message);
    }

    [Fact]
    public void Constructor_EmptyLabelFolders_AreTheClasses()
    {
        Directory.CreateDirectory(Path.Combine(Inbox, "dog"));
        Directory.CreateDirectory(Path.Combine(Inbox, "cat"));

        var source = new WatchImageSource(Inbox, Fast, NullLogger.Instance);

        Assert.Equal(["cat", "dog"], source.Classes.Names);
    }

    /// <summary>Writes images straight into <paramref name="root"/> before a watch starts.</summary>
    private static List<(string Path, string Label)> GeneratedImagesIn(string root, int first, int count, params string[] labels) =>
        [.. GeneratedImages.WriteFolder(root, first + count, labels).Skip(first).Select(e => (e.Key, e.Value))];

    /// <summary>
    /// Writes <paramref name="count"/> images into a staging folder beside the inbox (same filesystem),
    /// then moves each into its label folder with one rename, as writers are asked to.
    /// </summary>
    private List<(string Path, string Label)> MovedIn(int first, int count, string[] labels, bool png = true)
    {
        var staging = _folder.Combine($"staging-{first}");
        var moved = new List<(string, string)>();
        for (var i = 0; i < count; i++)
        {
            var label = labels[i % labels.Length];
            var name = $"img-{first + i:D3}.png";
            var staged = _folder.Write(Path.Combine($"staging-{first}", name), png ? GeneratedImages.Png(first + i) : [1]);
            var target = Path.Combine(Inbox, label, name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Move(staged, target);
            moved.Add((target, label));
        }

        Directory.Delete(staging);
        return moved;
    }

    private sealed class ListLogger : ILogger
    {
        private readonly ConcurrentQueue<string> _messages = new();

        public IReadOnlyList<string> Messages => [.. _messages];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                _messages.Enqueue(formatter(state, exception));
            }
        }
    }
}
