using Pipeline.Decoding;
using Pipeline.FeatureStore;
using Pipeline.Inference;

namespace Pipeline.Featurization;

/// <summary>
/// One batch's worth of reusable buffers: the inference tensors and the rows that describe them.
/// A few slots circulate between packing, inference and the sink, so a run allocates its batch
/// memory once whatever the data set's size.
/// </summary>
internal sealed class BatchSlot(InferenceBatch inference)
{
    public InferenceBatch Inference { get; } = inference;

    public FeatureRecord[] Records { get; } = new FeatureRecord[inference.Capacity];

    /// <summary>When the source yielded each record's image (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), for the landing-to-commit latency.</summary>
    public long[] LandedAt { get; } = new long[inference.Capacity];

    public List<Reject> Rejects { get; } = [];

    /// <summary>Each reject's file size and mtime when it was yielded, in the order of <see cref="Rejects"/>.</summary>
    public List<(long Bytes, long ModifiedUnixMs)> RejectStamps { get; } = [];

    public int Count => Inference.Count;

    public void Reset()
    {
        Inference.Count = 0;
        Rejects.Clear();
        RejectStamps.Clear();
    }
}
