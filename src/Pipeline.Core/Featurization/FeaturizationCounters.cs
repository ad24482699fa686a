using System.Diagnostics;

namespace Pipeline.Featurization;

/// <summary>
/// Live counts of a featurization run, updated by the dataflow stages and read by progress
/// reporters and the health endpoint on other threads; plain interlocked fields so the hot path takes
/// no lock. Every change is also recorded on a <see cref="PipelineMeter"/>, the process's by default.
/// </summary>
public sealed class FeaturizationCounters
{
    /// <summary>Counters that record on the process's meter.</summary>
    public FeaturizationCounters()
        : this(PipelineMeter.Shared)
    {
    }

    internal FeaturizationCounters(PipelineMeter meter)
    {
        Meter = meter;
        _recentRate.Add(TimeSpan.Zero, 0);
    }

    /// <summary>Latencies kept for the live percentiles: the last this many featurized images.</summary>
    private const int LatencyWindow = 1024;

    /// <summary>The span <see cref="Rate"/> is measured over: a common scrape interval, short beside a stream's life.</summary>
    private static readonly TimeSpan RateWindow = TimeSpan.FromMinutes(1);

    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly Lock _latencyGate = new();
    private readonly Lock _rateGate = new();
    private readonly RecentRate _recentRate = new(RateWindow);
    private readonly double[] _latencies = new double[LatencyWindow];
    private long _latencyCount;
    private long _read;
    private long _featurized;
    private long _rejected;
    private long _cached;
    private long _total = -1;
    private long _lastProgress;

    /// <summary>Images the source has yielded so far, cached ones included.</summary>
    public long Read => Interlocked.Read(ref _read);

    /// <summary>Images whose features were written in this run.</summary>
    public long Featurized => Interlocked.Read(ref _featurized);

    /// <summary>Images rejected in this run.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Images skipped because complete part files already hold their features.</summary>
    public long Cached => Interlocked.Read(ref _cached);

    /// <summary>How many images the source holds, when it knows before reading them.</summary>
    public long? Total
    {
        get => Interlocked.Read(ref _total) is var total and >= 0 ? total : null;
        internal set => Interlocked.Exchange(ref _total, value ?? -1);
    }

    /// <summary>Images read and neither skipped nor written yet: in the graph's bounded buffers.</summary>
    internal long Backlog => Math.Max(0, Read - Cached - Featurized - Rejected);

    /// <summary>
    /// Images featurized or rejected per second over about the last <see cref="RateWindow"/> (since
    /// the start, for a younger run), measured between reads: a lifetime average would say nothing
    /// about a stream that has run for days.
    /// </summary>
    internal double Rate => RateAt(Stopwatch.GetElapsedTime(_started));

    /// <summary><see cref="Rate"/> read <paramref name="sinceStart"/> after the counters were made.</summary>
    internal double RateAt(TimeSpan sinceStart)
    {
        lock (_rateGate)
        {
            return _recentRate.Add(sinceStart, Featurized + Rejected);
        }
    }

    /// <summary>The meter these counts are recorded on.</summary>
    internal PipelineMeter Meter { get; }

    /// <summary>
    /// Time since the run last made progress: since the last batch reached every sink, or since an
    /// image arrived with none waiting before it, whichever came later (an idle stream is not stuck
    /// however long ago its last commit was); since the start when neither has happened.
    /// </summary>
    internal TimeSpan SinceProgress => Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastProgress) is var last and > 0 ? last : _started);

    /// <summary>
    /// The 50th and 95th percentile of landing-to-commit latency over the last <see cref="LatencyWindow"/>
    /// featurized images, in seconds; null before the first.
    /// </summary>
    internal (double P50, double P95)? LatencyPercentiles()
    {
        double[] window;
        lock (_latencyGate)
        {
            var count = (int)Math.Min(_latencyCount, LatencyWindow);
            if (count == 0)
            {
                return null;
            }

            window = _latencies[..count];
        }

        Array.Sort(window);
        return (Percentile(window, 0.50), Percentile(window, 0.95));
    }

    internal void AddRead()
    {
        Interlocked.Increment(ref _read);
        if (Backlog == 1)
        {
            Interlocked.Exchange(ref _lastProgress, Stopwatch.GetTimestamp());
        }

        Meter.Landed.Add(1);
    }

    internal void AddCached()
    {
        Interlocked.Increment(ref _cached);
        Meter.Skipped.Add(1);
    }

    /// <summary>
    /// Counts a batch once every sink holds it: its featurized images, whose landing timestamps
    /// (<see cref="Stopwatch.GetTimestamp"/> when the source yielded each) give their latency, and its rejects.
    /// </summary>
    internal void AddCommitted(ReadOnlySpan<long> landedAt, int rejected)
    {
        var now = Stopwatch.GetTimestamp();
        lock (_latencyGate)
        {
            foreach (var landed in landedAt)
            {
                var seconds = Stopwatch.GetElapsedTime(landed, now).TotalSeconds;
                Meter.LandingToCommit.Record(seconds);
                _latencies[_latencyCount++ % LatencyWindow] = seconds;
            }
        }

        Interlocked.Add(ref _featurized, landedAt.Length);
        Interlocked.Add(ref _rejected, rejected);
        Interlocked.Exchange(ref _lastProgress, now);
        Meter.Featurized.Add(landedAt.Length);
        Meter.Rejected.Add(rejected);
        if (landedAt.Length + rejected > 0)
        {
            Meter.BatchSize.Record(landedAt.Length + rejected);
        }
    }

    /// <summary>The nearest-rank percentile of sorted values.</summary>
    private static double Percentile(double[] sorted, double q) =>
        sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];
}
