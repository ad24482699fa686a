namespace Pipeline.Runs;

/// <summary>
/// The content of <c>run.json</c>: the run's state, when it ran, how long each stage took, what it
/// counted and measured, and why it failed. Written by <see cref="RunJournal"/>.
/// </summary>
public sealed record RunRecord
{
    /// <summary>Run name from the pipeline file.</summary>
    public required string Name { get; init; }

    /// <summary>The pipeline file as the user named it.</summary>
    public required string PipelineFile { get; init; }

    /// <summary>The run folder, absolute.</summary>
    public required string RunFolder { get; init; }

    /// <summary>The model used (after <c>prefer</c> resolution).</summary>
    public required string Model { get; init; }

    /// <summary>Current state.</summary>
    public RunState State { get; init; } = RunState.Pending;

    /// <summary>
    /// The run is a stream (its source never ends): it featurizes until stopped and trains nothing, so
    /// a stop, recorded <see cref="RunState.Interrupted"/> with every micro-batch committed, is its
    /// normal end, and the next start continues it.
    /// </summary>
    public bool Stream { get; init; }

    /// <summary>1 for the first attempt, +1 for each resume of an interrupted run.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>When the current attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the current attempt ended.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Wall-clock seconds of the current attempt.</summary>
    public double? Seconds { get; init; }

    /// <summary>Per-stage timings of the current attempt, in the order the stages began.</summary>
    public IReadOnlyList<StageTiming> Stages { get; init; } = [];

    /// <summary>Image counts.</summary>
    public RunCounts Counts { get; init; } = new();

    /// <summary>Headline metrics by name (accuracy, weightedF1, …).</summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>The report folder once written.</summary>
    public string? ReportPath { get; init; }

    /// <summary>Why the run failed; null unless <see cref="State"/> is failed.</summary>
    public string? Error { get; init; }
}
