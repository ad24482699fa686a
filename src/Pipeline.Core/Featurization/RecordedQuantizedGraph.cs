namespace Pipeline.Featurization;

/// <summary>
/// The int8 graph that earlier features were made with, which a run must featurize with again
/// rather than calibrate its own: the store it resumes, the store its shard joins, or the
/// classifier it predicts with recorded it.
/// </summary>
/// <param name="Key">The graph's cache key (<see cref="FeatureStore.FeatureStoreMetadata.QuantizedGraph"/>).</param>
/// <param name="RecordedBy">What recorded it, naming its path: the subject of the refusal when the file is gone, e.g. <c>The output folder '/runs/s'</c>.</param>
/// <param name="Remedy">What to do instead of restoring the file, e.g. <c>featurize into a new folder</c>.</param>
internal sealed record RecordedQuantizedGraph(string Key, string RecordedBy, string Remedy);
