namespace Pipeline.Tests.Prediction;

/// <summary>
/// The names of every file and folder created in or below a folder while it is watched (inotify;
/// below it as <c>sub/name</c>), so a test can assert on what existed for a moment only, such as a
/// temporary store deleted again.
/// </summary>
internal sealed class FolderWatcher : IDisposable
{
    private const string Sentinel = ".watch-end";

    private readonly FileSystemWatcher _watcher;
    private readonly List<string> _created = [];
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _folder;

    public FolderWatcher(string folder)
    {
        _folder = folder;
        _watcher = new FileSystemWatcher(folder)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName,
            InternalBufferSize = 64 * 1024,
        };
        _watcher.Created += (_, e) =>
        {
            if (e.Name == Sentinel)
            {
                _ended.TrySetResult();
                return;
            }

            lock (_created)
            {
                _created.Add(e.Name!);
            }
        };
        _watcher.Error += (_, e) => _ended.TrySetException(e.GetException());
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>
    /// The entries created so far: a sentinel file is created and awaited first, since inotify
    /// reports events in order, so none made before this call is still on its way.
    /// </summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        var sentinel = Path.Combine(_folder, Sentinel);
        await File.WriteAllBytesAsync(sentinel, []);
        await _ended.Task.WaitAsync(TimeSpan.FromSeconds(30));
        File.Delete(sentinel);
        _watcher.EnableRaisingEvents = false;
        lock (_created)
        {
            return [.. _created];
        }
    }

    public void Dispose() => _watcher.Dispose();
}
