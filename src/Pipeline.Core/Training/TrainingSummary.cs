namespace Pipeline.Training;

/// <summary>How a fit went, like Spark's <c>LogisticRegressionTrainingSummary</c>.</summary>
/// <param name="ObjectiveHistory">The objective (loss + penalty) at the start and after each iteration.</param>
/// <param name="StopReason">Why the solver stopped.</param>
/// <param name="ElapsedSeconds">Wall time of the fit, standardisation included.</param>
/// <param name="Options">The options the model was trained with.</param>
public sealed record TrainingSummary(
    IReadOnlyList<double> ObjectiveHistory,
    StopReason StopReason,
    double ElapsedSeconds,
    LogisticRegressionOptions Options)
{
    /// <summary>Iterations run: the history's length minus one, as Spark's <c>totalIterations</c>.</summary>
    public int Iterations => ObjectiveHistory.Count - 1;
}
