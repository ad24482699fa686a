namespace Pipeline.Training;

/// <summary>The metrics a grid search can select by, named as Spark's <c>MulticlassClassificationEvaluator.metricName</c>.</summary>
public enum SelectionMetricKind
{
    /// <summary>Weighted F1, Spark's default <c>f1</c>.</summary>
    F1,

    Accuracy,

    WeightedPrecision,

    WeightedRecall,

    /// <summary>Mean negative log-likelihood; the only one where smaller is better.</summary>
    LogLoss,
}
