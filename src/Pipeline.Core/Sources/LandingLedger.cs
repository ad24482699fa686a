namespace Pipeline.Sources;

/// <summary>
/// What a watch has taken, in memory that does not grow with the files kept in its folder: a
/// watermark on the files' ctime below which every file counts as taken, and exact entries only for
/// files whose ctime lies above the watermark. Linux sets ctime on every write and rename and no
/// program can set it back, so a file that lands later, even moved in with an old mtime, has a ctime
/// above the watermark.
/// </summary>
/// <remarks>
/// <para>
/// Each listing begins at time <c>S</c> and proposes the watermark <c>S − (settle + window)</c>; it
/// takes effect only when the listing has visited every file (<see cref="CompleteListing"/>). Files
/// below it were seen by that complete listing, and were taken then unless still changing; a changing
/// file has a ctime within <c>settle</c> of being looked at (every write sets ctime), so it lies above.
/// A listing therefore records by name only what it takes above its proposed watermark: after a
/// complete listing the ledger holds the files that landed in the last settle + window seconds.
/// </para>
/// <para>
/// A listing cut short by an unreadable folder keeps a mark instead (<see cref="AbandonListing"/>):
/// files up to the position it reached, in listing order, and below its proposed watermark were
/// taken. Marks form a staircase (a later mark that reached further makes an earlier one redundant),
/// and a complete listing clears them.
/// </para>
/// <para>
/// Files keep their ctime when the folder holding them is moved in, so a folder that a listing has not
/// seen before (<see cref="IsNewFolder"/>) has every file below it looked up by name, and recorded
/// until a complete listing has seen that folder. Folders are remembered by path and inode, one entry
/// per folder that exists: folders, unlike files, are few.
/// </para>
/// <para>
/// Where ctime is unknown (not Linux, or a filesystem that does not report it) a file's ctime is taken
/// as <see cref="long.MaxValue"/>: it is remembered by name for as long as the watch runs, which is
/// correct but bounded only by the files the folder receives.
/// </para>
/// </remarks>
internal sealed class LandingLedger
{
    private readonly Dictionary<string, Landed> _recent = new(StringComparer.Ordinal);
    private readonly List<Mark> _marks = [];
    private Dictionary<string, ulong>? _folders;
    private Dictionary<string, ulong> _foldersOfListing = new(StringComparer.Ordinal);
    private long _watermark = long.MinValue;

    /// <summary>Files remembered by name, folders and marks: what the ledger holds in memory.</summary>
    public int Count => _recent.Count + _marks.Count + (_folders?.Count ?? 0) + _foldersOfListing.Count;

    /// <summary>Files remembered by name; the rest is below the watermark.</summary>
    public int FilesRemembered => _recent.Count;

    /// <summary>The ctime, in Unix nanoseconds, below which every file counts as taken.</summary>
    public long Watermark => _watermark;

    /// <summary>
    /// Notes a folder the current listing visits; true when a complete listing has seen folders before
    /// and not this one (by path and inode), so that the files below it are looked up by name.
    /// </summary>
    public bool IsNewFolder(string path, ulong inode)
    {
        _foldersOfListing[path] = inode;
        return _folders is not null && !(_folders.TryGetValue(path, out var known) && known == inode);
    }

    /// <summary>
    /// Notes that the current listing found <paramref name="path"/> missing: the folders below it are
    /// kept as known, so that when it is back (a rename back, a remount) its files are not taken again.
    /// </summary>
    public void KeepFoldersBelow(string path)
    {
        if (_folders is null)
        {
            return;
        }

        foreach (var (folder, inode) in _folders)
        {
            if (folder == path || folder.StartsWith(path + "/", StringComparison.Ordinal))
            {
                _foldersOfListing.TryAdd(folder, inode);
            }
        }
    }

    /// <summary>Whether the file at <paramref name="path"/> was taken, as it is now.</summary>
    /// <param name="path">Its full path.</param>
    /// <param name="position">Its place in listing order.</param>
    /// <param name="identity">Its inode, size and mtime.</param>
    /// <param name="changedUnixNs">Its ctime.</param>
    /// <param name="inNewFolder">It lies below a folder this listing sees first: its ctime says nothing.</param>
    public bool HasTaken(string path, FilePosition position, FileIdentity identity, long changedUnixNs, bool inNewFolder)
    {
        if (_recent.TryGetValue(path, out var landed) && landed.Identity == identity)
        {
            return true;
        }

        if (inNewFolder)
        {
            return false;
        }

        return changedUnixNs < _watermark || _marks.Exists(m => changedUnixNs < m.Watermark && position.CompareTo(m.Reached) <= 0);
    }

    /// <summary>Records a file the listing that proposes <paramref name="proposedWatermark"/> takes.</summary>
    public void Take(string path, FileIdentity identity, long changedUnixNs, bool inNewFolder, long proposedWatermark)
    {
        if (inNewFolder || changedUnixNs >= proposedWatermark)
        {
            _recent[path] = new Landed(identity, changedUnixNs);
        }
    }

    /// <summary>A listing visited every file: its watermark takes effect, and what lies below it is forgotten.</summary>
    public void CompleteListing(long proposedWatermark)
    {
        _watermark = Math.Max(_watermark, proposedWatermark);
        _marks.Clear();
        _folders = _foldersOfListing;
        _foldersOfListing = new Dictionary<string, ulong>(StringComparer.Ordinal);

        // Files of folders new to that listing were recorded whatever their ctime; the folders are known
        // now, so those files are below the watermark like the rest.
        foreach (var (path, landed) in _recent)
        {
            if (landed.ChangedUnixNs < _watermark)
            {
                _recent.Remove(path);
            }
        }
    }

    /// <summary>A listing stopped after <paramref name="reached"/> (null: before any file).</summary>
    public void AbandonListing(FilePosition? reached, long proposedWatermark)
    {
        _foldersOfListing.Clear();
        if (reached is not { } position)
        {
            return;
        }

        _marks.RemoveAll(m => m.Reached.CompareTo(position) <= 0);
        _marks.Add(new Mark(position, proposedWatermark));
    }

    private readonly record struct Landed(FileIdentity Identity, long ChangedUnixNs);

    private readonly record struct Mark(FilePosition Reached, long Watermark);
}
