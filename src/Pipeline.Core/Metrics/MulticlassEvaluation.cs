namespace Pipeline.Metrics;

/// <summary>
/// Everything <see cref="MulticlassEvaluator"/> measures on one labelled test set: Spark's
/// MulticlassClassificationEvaluator metrics, sklearn's classification report, the confusion
/// matrix, one-vs-rest ROC curves and the log loss.
/// </summary>
/// <param name="ClassNames">Class names in index order.</param>
/// <param name="SampleCount">N, the number of evaluated samples.</param>
/// <param name="Accuracy">Σ tp_c / N (Spark's <c>accuracy</c>).</param>
/// <param name="LogLoss">Spark's <c>logLoss</c>: mean of −ln clip(p_y, 1e-15, 1 − 1e-15).</param>
/// <param name="MacroRocAuc">Mean of the per-class one-vs-rest AUCs over the classes where AUC is
/// defined (both positives and negatives among the true labels); null when there is none.</param>
/// <param name="PerClass">One row per class, in class-index order.</param>
/// <param name="MacroAverage">Unweighted mean over all classes in <paramref name="ClassNames"/>,
/// including classes absent from the true labels (they contribute recall 0): sklearn's
/// <c>average="macro"</c> with <c>labels</c> = every class.</param>
/// <param name="WeightedAverage">Mean weighted by support (sklearn's <c>average="weighted"</c>).</param>
/// <param name="ConfusionMatrix">Rows true, columns predicted.</param>
/// <param name="RocCurves">The curves of the classes where AUC is defined, in class-index order.</param>
public sealed record MulticlassEvaluation(
    IReadOnlyList<string> ClassNames,
    int SampleCount,
    double Accuracy,
    double LogLoss,
    double? MacroRocAuc,
    IReadOnlyList<ClassMetrics> PerClass,
    AveragedMetrics MacroAverage,
    AveragedMetrics WeightedAverage,
    ConfusionMatrix ConfusionMatrix,
    IReadOnlyList<RocCurve> RocCurves)
{
    // Spark weights each class by N_c / N over the labels that occur as true labels; a class with
    // support 0 has weight 0 either way, so Spark's weighted metrics are exactly sklearn's
    // support-weighted average and are not stored twice.

    /// <summary>Spark's <c>weightedPrecision</c>: Σ_c precision_c · N_c / N.</summary>
    public double WeightedPrecision => WeightedAverage.Precision;

    /// <summary>Spark's <c>weightedRecall</c>: Σ_c recall_c · N_c / N, which equals accuracy.</summary>
    public double WeightedRecall => WeightedAverage.Recall;

    /// <summary>Spark's <c>f1</c> (its default metric): Σ_c F1_c · N_c / N.</summary>
    public double WeightedF1 => WeightedAverage.F1;
}
