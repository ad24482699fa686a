using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Pipeline.IO;

namespace Pipeline.Sources;

/// <summary>
/// A watched folder laid out like <see cref="FolderImageSource"/>, <c>root/&lt;label&gt;/**/&lt;file&gt;</c>,
/// whose enumeration never ends by itself: it yields what is there (the backfill, in the folder
/// source's order), then each file that lands, once, until its token fires
/// (<see cref="OperationCanceledException"/>, as every source).
/// </summary>
/// <remarks>
/// <para>
/// Classes are the label folders present when the source is opened, empty ones included, since an
/// inbox is set up before anything lands. The class list goes into the feature store's metadata and
/// must not change under it, so files in a label folder created later are not taken: the folder is
/// named once in a warning and its files stay where they are.
/// </para>
/// <para>
/// The folder source's rules apply (hidden entries, image extensions, no symbolic-link folders); the
/// image-extension rule already skips the names writers give files in flight (<c>x.png.tmp</c>,
/// <c>.part</c>, HDFS's <c>._COPYING_</c>). A file is taken only once its mtime or its ctime is <see cref="WatchOptions.Settle"/>
/// old, or its size and mtime have stayed the same over that long. A file moved in whole keeps its
/// old mtime and is taken at first sight; one with an mtime in the future (a skewed server clock)
/// is taken once it has not changed for that long.
/// </para>
/// <para>
/// A listing walks the folder; the file-system watcher only makes the next one come sooner
/// (<see cref="FolderChangeHints"/>), and one comes at least every <see cref="WatchOptions.Rescan"/>.
/// The walk yields as the consumer asks, so a slow consumer slows the walk and nothing queues in
/// memory: the folder is the buffer. What the enumeration remembers is bounded as
/// <see cref="LandingLedger"/> says.
/// </para>
/// </remarks>
internal sealed class WatchImageSource : ILabelledImageSource
{
    private static readonly EnumerationOptions ListOneLevel = new()
    {
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    private readonly DirectoryInfo _root;
    private readonly WatchOptions _options;
    private readonly ILogger _logger;
    private int _remembered;
    private long _listings;
    private volatile string? _problem;

    /// <exception cref="SourceException">The folder does not exist or holds no label folder.</exception>
    public WatchImageSource(string root, WatchOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _root = new DirectoryInfo(Path.GetFullPath(root));
        _options = options;
        _logger = logger;
        if (!_root.Exists)
        {
            throw new SourceException($"Watch folder '{_root.FullName}' does not exist.");
        }

        FileSystemInfo[] entries;
        try
        {
            entries = _root.GetFileSystemInfos("*", ListOneLevel);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SourceException($"Cannot list watch folder '{_root.FullName}': {e.Message}", e);
        }

        var labels = entries.OfType<DirectoryInfo>().Where(d => IsVisible(d.Name)).Select(d => d.Name).ToArray();
        if (labels.Length == 0)
        {
            throw new SourceException(
                $"Watch folder '{_root.FullName}' has no label folders (expected {_root.FullName}/<label>/<image>); "
                + "create one folder per class before the watch starts, as its class list is fixed then.");
        }

        Classes = ClassList.FromLabels(labels);
        Description = $"watched folder {_root.FullName}";
    }

    public string Description { get; }

    public ClassList Classes { get; }

    /// <summary>A watched folder yields arrivals until the run stops: the run featurizes it as a stream.</summary>
    public bool IsEndless => true;

    /// <summary>Entries the latest enumeration holds in memory (files by name, folders, marks, files still settling), as of its last listing.</summary>
    public int Remembered => Volatile.Read(ref _remembered);

    /// <summary>Listings of the folder so far: what an idle or slowly written folder costs.</summary>
    public long Listings => Interlocked.Read(ref _listings);

    /// <summary>Why the latest listing could not read all of the folder (it or a label folder is missing or unreadable), or null when it could.</summary>
    public string? Problem => _problem;

    public async IAsyncEnumerable<LabelledImage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var hints = new FolderChangeHints(_root.FullName, _options.Watcher, _logger);
        var ledger = new LandingLedger();
        var pending = new Dictionary<string, Settling>(StringComparer.Ordinal);
        var unknownLabels = new HashSet<string>(StringComparer.Ordinal);
        var settle = Nanoseconds(_options.Settle);
        long ordinal = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            hints.Clear();
            var start = NowUnixNs();
            var listing = new Listing(start - settle - Nanoseconds(_options.Window));
            var stillSettling = new Dictionary<string, Settling>(StringComparer.Ordinal);
            var wake = start + Nanoseconds(_options.Rescan);
            foreach (var candidate in Walk(listing, ledger, unknownLabels))
            {
                cancellationToken.ThrowIfCancellationRequested();
                listing.Reached = candidate.Position;
                if (Stamp(candidate.File) is not { } stamp
                    || ledger.HasTaken(candidate.File.FullName, candidate.Position, stamp.Identity, stamp.ChangedUnixNs, candidate.InNewFolder))
                {
                    continue;
                }

                var now = NowUnixNs();
                var seen = pending.GetValueOrDefault(candidate.File.FullName);
                var since = seen.Identity == stamp.Identity && seen.SinceUnixNs != 0 ? seen.SinceUnixNs : now;
                // An old ctime also settles it: every write sets ctime, and the clock is this kernel's,
                // so a file with an mtime in the future (a skewed server) that has not changed
                // for that long is complete, and is below the watermark the listing proposes.
                if (stamp.Identity.ModifiedUnixNs > now - settle && stamp.ChangedUnixNs > now - settle && now - since < settle)
                {
                    stillSettling[candidate.File.FullName] = new Settling(stamp.Identity, since);
                    wake = Math.Min(wake, Math.Min(stamp.Identity.ModifiedUnixNs, since) + settle);
                    continue;
                }

                ledger.Take(candidate.File.FullName, stamp.Identity, stamp.ChangedUnixNs, candidate.InNewFolder, listing.ProposedWatermark);
                yield return new LabelledImage(ordinal++, candidate.File.FullName, Classes.Names[candidate.Position.LabelIndex], candidate.Position.LabelIndex)
                {
                    FileBytes = stamp.Identity.Size,
                    FileModifiedUnixMs = stamp.Identity.ModifiedUnixNs / 1_000_000,

                    // A file in a folder moved in keeps the ctime it had before, which says nothing of its arrival.
                    LandedUnixNs = candidate.InNewFolder || stamp.ChangedUnixNs == long.MaxValue ? 0 : stamp.ChangedUnixNs,
                };
            }

            if (listing.Abandoned)
            {
                // Files the walk did not reach keep the time they were first seen settling.
                foreach (var (path, settling) in pending)
                {
                    stillSettling.TryAdd(path, settling);
                }

                ledger.AbandonListing(listing.Reached, listing.ProposedWatermark);
            }
            else
            {
                ledger.CompleteListing(listing.ProposedWatermark);
            }

            pending = stillSettling;
            Volatile.Write(ref _remembered, ledger.Count + pending.Count);
            Interlocked.Increment(ref _listings);
            Report(listing.Problem);

            // A millisecond past the deadline, so that the settling file is old enough when looked at.
            var delay = TimeSpan.FromTicks(Math.Max(0, wake - NowUnixNs()) / 100) + TimeSpan.FromMilliseconds(1);
            if (await hints.WaitAsync(delay, cancellationToken).ConfigureAwait(false))
            {
                var sinceStart = TimeSpan.FromTicks((NowUnixNs() - start) / 100);
                if (sinceStart < _options.HintCoalescing)
                {
                    await Task.Delay(_options.HintCoalescing - sinceStart, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// The candidate files of one listing, in the folder source's order: label folders ordinally,
    /// then each folder's entries sorted with a folder keyed <c>name/</c>, one listing per folder.
    /// A folder that vanishes is empty; one that cannot be read ends the listing, abandoned.
    /// </summary>
    private IEnumerable<Candidate> Walk(Listing listing, LandingLedger ledger, HashSet<string> unknownLabels)
    {
        switch (List(_root, out var top, out var error))
        {
            case Outcome.Missing:
                // Abandoned rather than complete: when the folder comes back (a remount, a rename back),
                // the folders it holds are the ones remembered, and their files are not taken again.
                listing.Problem = $"Watch folder '{_root.FullName}' does not exist.";
                listing.Abandoned = true;
                yield break;
            case Outcome.Failed:
                listing.Problem = $"Cannot list watch folder '{_root.FullName}': {error}";
                listing.Abandoned = true;
                yield break;
        }

        foreach (var folder in top.OfType<DirectoryInfo>().Where(d => Classes.IndexOf(d.Name) < 0 && unknownLabels.Add(d.Name)))
        {
            _logger.LogWarning(
                "Label folder {Folder} appeared after the watch of {Root} started; its files are not taken, since the class list ({Classes}) is fixed at start: restart into a new run folder to add a class",
                folder.FullName, _root.FullName, string.Join(", ", Classes.Names));
        }

        for (var labelIndex = 0; labelIndex < Classes.Count; labelIndex++)
        {
            var labelFolder = new DirectoryInfo(Path.Combine(_root.FullName, Classes.Names[labelIndex]));
            var levels = new Stack<Level>();
            switch (Open(labelFolder, "", inNewFolder: false, ledger, levels, out error))
            {
                case Outcome.Missing:
                    listing.Problem ??= $"Label folder '{labelFolder.FullName}' of the watch is missing.";
                    ledger.KeepFoldersBelow(labelFolder.FullName);
                    continue;
                case Outcome.Failed:
                    listing.Problem = $"Cannot list label folder '{labelFolder.FullName}': {error}";
                    listing.Abandoned = true;
                    yield break;
            }

            while (levels.Count > 0)
            {
                var level = levels.Peek();
                if (level.Next >= level.Entries.Length)
                {
                    levels.Pop();
                    continue;
                }

                var entry = level.Entries[level.Next++];
                var relative = level.Prefix + entry.Name;
                if (entry is FileInfo file)
                {
                    if (ImageFileExtensions.IsImage(file.Name))
                    {
                        yield return new Candidate(file, new FilePosition(labelIndex, relative), level.InNewFolder);
                    }
                }
                else if (entry is DirectoryInfo directory && directory.LinkTarget is null
                    && Open(directory, relative + "/", level.InNewFolder, ledger, levels, out error) == Outcome.Failed)
                {
                    listing.Problem = $"Cannot list folder '{directory.FullName}' of the watch: {error}";
                    listing.Abandoned = true;
                    yield break;
                }
            }
        }
    }

    /// <summary>Lists <paramref name="folder"/> onto <paramref name="levels"/>; a folder that vanished pushes nothing.</summary>
    private static Outcome Open(DirectoryInfo folder, string prefix, bool inNewFolder, LandingLedger ledger, Stack<Level> levels, out string? error)
    {
        var outcome = List(folder, out var entries, out error);
        if (outcome == Outcome.Listed)
        {
            var isNew = Statx.TryGet(folder.FullName, out var status) && ledger.IsNewFolder(folder.FullName, status.Inode);
            var sorted = entries.OrderBy(e => e is DirectoryInfo ? e.Name + "/" : e.Name, StringComparer.Ordinal).ToArray();
            levels.Push(new Level(sorted, prefix, inNewFolder || isNew));
        }

        return outcome;
    }

    private static Outcome List(DirectoryInfo folder, out FileSystemInfo[] entries, out string? error)
    {
        error = null;
        try
        {
            entries = [.. folder.EnumerateFileSystemInfos("*", ListOneLevel).Where(e => IsVisible(e.Name))];
            return Outcome.Listed;
        }
        catch (DirectoryNotFoundException)
        {
            entries = [];
            return Outcome.Missing;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            entries = [];
            error = e.Message;
            return Outcome.Failed;
        }
    }

    private static bool IsVisible(string name) => !name.StartsWith('.');

    /// <summary>
    /// Inode, size, mtime and ctime from one statx; elsewhere .NET's size and mtime with no ctime
    /// (<see cref="long.MaxValue"/>: remembered by name). Null when the file is gone.
    /// </summary>
    private static (FileIdentity Identity, long ChangedUnixNs)? Stamp(FileInfo file)
    {
        if (Statx.TryGet(file.FullName, out var status) && status is { Size: { } size, ModifiedUnixNs: { } modified, ChangedUnixNs: { } changed })
        {
            return status.Type == FileStatus.Regular ? (new FileIdentity(status.Inode, size, modified), changed) : null;
        }

        file.Refresh();
        if (!file.Exists)
        {
            return null;
        }

        return (new FileIdentity(0, file.Length, (file.LastWriteTimeUtc - DateTime.UnixEpoch).Ticks * 100), long.MaxValue);
    }

    private void Report(string? problem)
    {
        if (problem == _problem)
        {
            return;
        }

        if (problem is null)
        {
            _logger.LogInformation("Watch folder {Root} can be read again", _root.FullName);
        }
        else
        {
            _logger.LogWarning("Watching {Root}: {Problem} Listing again in {Seconds} s", _root.FullName, problem, _options.Rescan.TotalSeconds);
        }

        _problem = problem;
    }

    private static long NowUnixNs() => (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;

    private static long Nanoseconds(TimeSpan span) => span.Ticks * 100;

    private enum Outcome
    {
        Listed,
        Missing,
        Failed,
    }

    /// <summary>A file seen still changing: its identity then, and since when it has had it.</summary>
    private readonly record struct Settling(FileIdentity Identity, long SinceUnixNs);

    private readonly record struct Candidate(FileInfo File, FilePosition Position, bool InNewFolder);

    /// <summary>One listing's progress: the watermark it proposes, how far it got, and what stopped it.</summary>
    private sealed class Listing(long proposedWatermark)
    {
        public long ProposedWatermark { get; } = proposedWatermark;

        public FilePosition? Reached { get; set; }

        public bool Abandoned { get; set; }

        public string? Problem { get; set; }
    }

    private sealed class Level(FileSystemInfo[] entries, string prefix, bool inNewFolder)
    {
        public FileSystemInfo[] Entries { get; } = entries;

        public string Prefix { get; } = prefix;

        public bool InNewFolder { get; } = inNewFolder;

        public int Next { get; set; }
    }
}
