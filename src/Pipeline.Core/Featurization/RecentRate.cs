namespace Pipeline.Featurization;

/// <summary>
/// The rate of a growing count over the last <c>window</c>, from samples taken as often as the
/// caller likes. It is measured from the newest sample at least a window old, so that a caller
/// sampling once a window (a stream's log line every 10 s) gets the last window's rate, not zero
/// for want of an older sample.
/// </summary>
internal sealed class RecentRate(TimeSpan window)
{
    private readonly Queue<(TimeSpan At, long Count)> _samples = new();
    private (TimeSpan At, long Count)? _start;

    /// <summary>Records <paramref name="count"/> at <paramref name="at"/> and returns the count per second since the window's start.</summary>
    public double Add(TimeSpan at, long count)
    {
        _samples.Enqueue((at, count));
        while (_samples.Count > 1 && at - _samples.Peek().At >= window)
        {
            _start = _samples.Dequeue();
        }

        var (since, then) = _start ?? _samples.Peek();
        var seconds = (at - since).TotalSeconds;
        return seconds > 0 ? (count - then) / seconds : 0;
    }
}
