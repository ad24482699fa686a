namespace Pipeline.Runs;

/// <summary>One stage's entry in <c>run.json</c>.</summary>
/// <param name="Stage">The stage.</param>
/// <param name="State">Running, completed, failed or interrupted.</param>
/// <param name="StartedAt">When the stage began.</param>
/// <param name="FinishedAt">When it ended; null while running.</param>
/// <param name="Seconds">Wall-clock duration; null while running.</param>
public sealed record StageTiming(RunStage Stage, RunState State, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt = null, double? Seconds = null);
