namespace Pipeline.Runs;

/// <summary>A progress report from a running stage, for the CLI's progress line and the worker's logs.</summary>
/// <param name="Stage">The stage reporting.</param>
/// <param name="Done">Items (images, iterations, folds) done so far.</param>
/// <param name="Total">Items expected in all, when known.</param>
/// <param name="Message">A short note (e.g. the current objective value).</param>
public sealed record RunProgress(RunStage Stage, long Done, long? Total = null, string? Message = null);
