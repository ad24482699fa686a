namespace Pipeline.FeatureStore;

/// <summary>What <see cref="FeatureStoreCompaction"/> changed.</summary>
/// <param name="RowsRemoved">Stale rows dropped: their image is gone from the source or changed since it was featurized.</param>
/// <param name="RowsRelabelled">Rows kept with the label their image has now.</param>
/// <param name="PartsRewritten">Parts rewritten or, left without rows, deleted.</param>
internal sealed record FeatureStoreCompactionResult(long RowsRemoved, long RowsRelabelled, int PartsRewritten);
