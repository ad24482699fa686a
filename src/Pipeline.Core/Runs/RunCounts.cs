namespace Pipeline.Runs;

/// <summary>Image counts of a run, as written in <c>run.json</c>.</summary>
/// <param name="Read">Images listed by the source(s).</param>
/// <param name="Featurized">Images featurized by this run.</param>
/// <param name="Cached">Images whose features were reused from the store instead of recomputed.</param>
/// <param name="Rejected">Images rejected (unreadable, over the limits, undecodable).</param>
public sealed record RunCounts(long Read = 0, long Featurized = 0, long Cached = 0, long Rejected = 0);
