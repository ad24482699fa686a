namespace Pipeline.Tests;

/// <summary>
/// Waits for something another thread or process brings about (a file filed by a worker, a part
/// written by a run). The patience is an upper bound for a loaded machine, not a timing assertion:
/// a wait that outlasts it ends in <see cref="TaskCanceledException"/>.
/// </summary>
internal static class Poll
{
    /// <summary>
    /// Checks <paramref name="condition"/> every <paramref name="interval"/> until it holds, calling
    /// <paramref name="whileWaiting"/> after each miss (to fail fast when what would bring it about has ended).
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, TimeSpan patience, TimeSpan interval, Action? whileWaiting = null)
    {
        using var timeout = new CancellationTokenSource(patience);
        while (!condition())
        {
            whileWaiting?.Invoke();
            await Task.Delay(interval, timeout.Token);
        }
    }
}
