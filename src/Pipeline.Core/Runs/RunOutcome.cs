namespace Pipeline.Runs;

/// <summary>What a successful run produced, returned by <see cref="IPipelineRunner.RunAsync"/>.</summary>
/// <param name="Counts">Final image counts.</param>
/// <param name="Metrics">Headline metrics by name (accuracy, weightedF1, …); merged over those already journalled.</param>
/// <param name="ReportPath">The report folder, or null when no report was written.</param>
internal sealed record RunOutcome(RunCounts Counts, IReadOnlyDictionary<string, double> Metrics, string? ReportPath = null);
