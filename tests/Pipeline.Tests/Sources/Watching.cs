using System.Collections.Concurrent;
using Pipeline.Sources;

namespace Pipeline.Tests.Sources;

/// <summary>
/// A watch source enumerated in the background, the way a streaming run consumes it, collecting what
/// it yields; disposing cancels the enumeration and waits for it to end.
/// </summary>
internal sealed class Watching : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<LabelledImage> _yielded = new();

    public Watching(WatchImageSource source)
    {
        Source = source;
        Reading = Task.Run(async () =>
        {
            await foreach (var image in source.ReadAsync(_stop.Token))
            {
                _yielded.Enqueue(image);
            }
        });
    }

    public WatchImageSource Source { get; }

    /// <summary>The enumeration; it ends only in cancellation or a failure.</summary>
    public Task Reading { get; }

    public IReadOnlyList<LabelledImage> Yielded => [.. _yielded];

    /// <summary>Paths relative to <paramref name="root"/>, '/'-separated, in the order yielded.</summary>
    public IReadOnlyList<string> Relative(string root) => [.. Yielded.Select(i => Path.GetRelativePath(root, i.Path).Replace('\\', '/'))];

    /// <summary>Waits until <paramref name="path"/> has been yielded, failing fast if the enumeration ended.</summary>
    public Task UntilYieldedAsync(string path) => UntilAsync(() => _yielded.Any(i => i.Path == path));

    /// <summary>Waits until <paramref name="condition"/> holds, failing fast if the enumeration ended.</summary>
    public Task UntilAsync(Func<bool> condition) =>
        Poll.UntilAsync(condition, Patience, TimeSpan.FromMilliseconds(20), () =>
        {
            if (Reading.IsCompleted)
            {
                Reading.GetAwaiter().GetResult();
                throw new InvalidOperationException("The watch ended by itself.");
            }
        });

    public void Cancel() => _stop.Cancel();

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Reading.WaitAsync(Patience);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
