namespace Pipeline.FeatureStore;

/// <summary>
/// What a <see cref="SmallPartCompaction"/> did: small parts replaced, merged parts written, rows they
/// hold, and rows of the small parts left for a later compaction (too few to fill a part); for a
/// sharded store, its shard count (every part of which left its shard's name).
/// </summary>
internal sealed record SmallPartCompactionResult(int PartsMerged, int PartsWritten, long Rows, long RowsLeft, int? Shards = null);
