using Microsoft.Extensions.Logging;

namespace Pipeline.Sources;

/// <summary>
/// A file-system watcher on a watched folder that only says "list again soon": its events, however
/// many, collapse into one pending hint, so nothing queues up while the consumer is slow, and a lost
/// event (queue overflow, a network filesystem that sends none) costs latency, never a file, because
/// the periodic listing is the truth.
/// </summary>
internal sealed class FolderChangeHints : IDisposable
{
    private readonly string _root;
    private readonly ILogger _logger;
    private readonly bool _enabled;
    /// <summary>
    /// Shortest time between two rebuilds of a watcher that failed: a watcher that fails again at once
    /// (out of inotify watches on a deep tree) would otherwise be rebuilt, fail and hint at every
    /// listing, and keep an idle source listing its folder every few hundred milliseconds.
    /// </summary>
    private static readonly TimeSpan RebuildInterval = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim _hint = new(0, 1);
    private FileSystemWatcher? _watcher;
    private volatile bool _broken;
    private bool _warned;
    private long _lastStart;

    /// <param name="root">The watched folder.</param>
    /// <param name="enabled">False: no watcher, and no hint ever comes.</param>
    /// <param name="logger">Says when the watcher cannot start.</param>
    public FolderChangeHints(string root, bool enabled, ILogger logger)
    {
        _root = root;
        _enabled = enabled;
        _logger = logger;
        _watcher = enabled ? Start() : null;
    }

    /// <summary>Forgets the pending hint before a listing, so that only changes from now on start another; restarts a watcher that failed.</summary>
    public void Clear()
    {
        while (_hint.Wait(0))
        {
        }

        if (_enabled && (_broken || _watcher is null) && Environment.TickCount64 - _lastStart >= RebuildInterval.TotalMilliseconds)
        {
            _broken = false;
            _watcher?.Dispose();
            _watcher = Start();
        }
    }

    /// <summary>Waits for a hint or <paramref name="timeout"/>; true when a hint came.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _hint.WaitAsync(timeout, cancellationToken);

    public void Dispose()
    {
        _watcher?.Dispose();
        _hint.Dispose();
    }

    private FileSystemWatcher? Start()
    {
        _lastStart = Environment.TickCount64;
        try
        {
            var watcher = new FileSystemWatcher(_root)
            {
                IncludeSubdirectories = true,
                // Names only: a write in place changes no name, and the listing a settling file needs is
                // already scheduled by its settle time, so size and write events would only make one slow
                // writer start a full listing every coalescing interval.
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName,
                InternalBufferSize = 64 * 1024,
            };
            watcher.Created += (_, _) => Hint();
            watcher.Renamed += (_, _) => Hint();
            watcher.Deleted += (_, _) => Hint();
            watcher.Error += (_, e) =>
            {
                // An overflow loses events, not files: the listing it triggers finds them.
                _logger.LogDebug(e.GetException(), "File-system watcher on {Folder} reported an error; listing it again", _root);
                var wasBroken = _broken;
                _broken = e.GetException() is not InternalBufferOverflowException;
                if (!wasBroken)
                {
                    Hint();
                }
            };
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or PlatformNotSupportedException or UnauthorizedAccessException)
        {
            // Out of inotify instances or watches, or the folder is gone: the periodic listing still finds
            // every file, and each listing tries again; said once.
            if (_warned)
            {
                return null;
            }

            _warned = true;
            _logger.LogWarning("Cannot watch {Folder} for changes ({Reason}); new files are found by the periodic listing only", _root, e.Message);
            return null;
        }
    }

    private void Hint()
    {
        if (_hint.CurrentCount == 0)
        {
            try
            {
                _hint.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another event released it first: one pending hint is all there is.
            }
            catch (ObjectDisposedException)
            {
                // An event raced the watch's end.
            }
        }
    }
}
