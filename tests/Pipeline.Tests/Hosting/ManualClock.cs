namespace Pipeline.Tests.Hosting;

/// <summary>
/// A <see cref="TimeProvider"/> whose time moves only in <see cref="Advance"/>, which also fires the timers
/// that fall due, on the caller's thread: a deadline then fires, or not, at an exact point of the test,
/// however slowly a loaded machine runs it.
/// </summary>
internal sealed class ManualClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<Timer> _timers = [];
    private TimeSpan _now;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.UnixEpoch + Now;

    public override long GetTimestamp() => Now.Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    private TimeSpan Now
    {
        get
        {
            lock (_gate)
            {
                return _now;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Timer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time on by <paramref name="by"/> and fires every timer due by then.</summary>
    public void Advance(TimeSpan by)
    {
        List<Timer> due;
        lock (_gate)
        {
            _now += by;
            due = [.. _timers.Where(t => t.Due is { } at && at <= _now)];
            foreach (var timer in due)
            {
                timer.Due = null;
            }
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    /// <summary>A one-shot timer: the drain deadline never asks for a period.</summary>
    private sealed class Timer(ManualClock clock, TimerCallback callback, object? state) : ITimer
    {
        /// <summary>When the timer fires, in the clock's time; null when it is stopped or has fired.</summary>
        public TimeSpan? Due { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : clock._now + dueTime;
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                Due = null;
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
