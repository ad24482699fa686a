using Pipeline.Metrics;

namespace Pipeline.Evaluation;

/// <summary>What <see cref="EvaluationJob"/> measured and wrote.</summary>
/// <param name="Evaluation">The metrics over the rows scored: every row of the store, or the test rows a training set apart.</param>
/// <param name="Report">The report files.</param>
/// <param name="Elapsed">Wall time of the job.</param>
public sealed record EvaluationJobResult(MulticlassEvaluation Evaluation, EvaluationReport Report, TimeSpan Elapsed)
{
    /// <summary>Rows scored.</summary>
    public int Samples => Evaluation.SampleCount;
}
