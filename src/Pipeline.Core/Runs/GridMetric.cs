namespace Pipeline.Runs;

/// <summary>
/// The metric a grid search maximises (YAML <c>grid.metric</c>), named as Spark's
/// <c>MulticlassClassificationEvaluator.metricName</c>; f1 is the weighted F1 and Spark's default.
/// </summary>
public enum GridMetric
{
    /// <summary>Weighted F1 (Spark's default).</summary>
    F1,

    /// <summary>Accuracy.</summary>
    Accuracy,

    /// <summary>Weighted precision.</summary>
    WeightedPrecision,

    /// <summary>Weighted recall.</summary>
    WeightedRecall,

    /// <summary>Log loss (smaller is better).</summary>
    LogLoss,
}
