namespace Pipeline.Featurization;

/// <summary>
/// Live counts of a featurization run, updated by the dataflow stages and read by progress
/// reporters on another thread; plain interlocked fields so the hot path takes no lock.
/// </summary>
public sealed class FeaturizationCounters
{
    private long _read;
    private long _featurized;
    private long _rejected;
    private long _cached;
    private long _total = -1;

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

    internal void AddRead() => Interlocked.Increment(ref _read);

    internal void AddFeaturized(int count) => Interlocked.Add(ref _featurized, count);

    internal void AddRejected(int count) => Interlocked.Add(ref _rejected, count);

    internal void AddCached() => Interlocked.Increment(ref _cached);
}
