namespace Pipeline.Evaluation;

/// <summary>What <see cref="EvaluationJob"/> scores and where it writes the report: the options of <c>pipeline evaluate</c>.</summary>
public sealed record EvaluationJobOptions
{
    /// <summary>The model folder written by training (required).</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>The labelled feature store to score, every row of it (required).</summary>
    public required string FeaturesDirectory { get; init; }

    /// <summary>The report folder (required): metrics.json, report.md and the plots.</summary>
    public required string ReportDirectory { get; init; }
}
