namespace Pipeline.Evaluation;

/// <summary>
/// What the report says about how the evaluated model was trained. Every field is optional: an
/// unknown value is written as null in metrics.json and left out of report.md.
/// </summary>
internal sealed record EvaluationContext
{
    /// <summary>The model, e.g. "ResNet18 features + multinomial logistic regression".</summary>
    public string? ModelName { get; init; }

    /// <summary>Training parameters by name (e.g. regParam → "0.01"), written sorted by name.</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>Optimiser iterations run.</summary>
    public int? Iterations { get; init; }

    /// <summary>Why the optimiser stopped (converged, max iterations, …).</summary>
    public string? StopReason { get; init; }

    /// <summary>Samples the model was trained on.</summary>
    public int? TrainSamples { get; init; }

    /// <summary>Samples it was evaluated on.</summary>
    public int? TestSamples { get; init; }

    /// <summary>Wall-clock training time in seconds.</summary>
    public double? TrainingSeconds { get; init; }

    /// <summary>
    /// Further report.md sections, already rendered (a grid search's table), put at its end; part of
    /// the one atomic write of report.md rather than appended after it.
    /// </summary>
    public string? MarkdownAppendix { get; init; }
}
