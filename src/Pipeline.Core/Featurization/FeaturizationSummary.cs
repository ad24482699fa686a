namespace Pipeline.Featurization;

/// <summary>What a featurization run did, for the closing summary line and <c>run.json</c>.</summary>
/// <param name="Read">Images the source yielded.</param>
/// <param name="Featurized">Images featurized in this run.</param>
/// <param name="Rejected">Images rejected in this run (listed in <c>rejects.parquet</c>).</param>
/// <param name="Cached">Images skipped because the store already held their features.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
/// <param name="ExecutionProvider">Where inference ran: CPU or CUDA.</param>
/// <param name="StoreDirectory">The feature store's folder.</param>
public sealed record FeaturizationSummary(
    long Read,
    long Featurized,
    long Rejected,
    long Cached,
    TimeSpan Elapsed,
    string ExecutionProvider,
    string StoreDirectory)
{
    /// <summary>Source entries that repeated an earlier entry's image and label, so were skipped (see <see cref="Sources.ILabelledImageSource.Duplicates"/>).</summary>
    public long Duplicates { get; init; }

    /// <summary>The run was a stream (<see cref="FeaturizationOptions.Stream"/>): its store has no <c>_SUCCESS</c>, and a stop was its end.</summary>
    public bool IsStream { get; init; }

    /// <summary>
    /// For a sharded run (<c>--shard</c>), what became of its shard and the store, in one sentence:
    /// committed, or committed already by another attempt, and how many shards the store still waits
    /// for; null for a run that is not sharded.
    /// </summary>
    public string? ShardOutcome { get; init; }

    /// <summary>
    /// With int8, the cache key of the quantized graph that made the store's rows, which the run's
    /// test source is featurized with too; empty for fp32.
    /// </summary>
    internal string QuantizedGraph { get; init; } = "";

    /// <summary>Images decoded and featurized or rejected per second of the run.</summary>
    public double ImagesPerSecond => Elapsed.TotalSeconds > 0 ? (Featurized + Rejected) / Elapsed.TotalSeconds : 0;
}
