using Pipeline.Metrics;

namespace Pipeline.Training;

/// <summary>Turns a <see cref="SelectionMetricKind"/> into the scoring function and direction <see cref="GridSearchOptions"/> takes.</summary>
internal static class SelectionMetricKinds
{
    /// <summary>Spark's spelling: f1, accuracy, weightedPrecision, weightedRecall, logLoss.</summary>
    public static string SparkName(this SelectionMetricKind kind) =>
        kind == SelectionMetricKind.F1 ? "f1" : char.ToLowerInvariant(kind.ToString()[0]) + kind.ToString()[1..];

    /// <summary>Whether a larger score is better: every metric but logLoss.</summary>
    public static bool LargerIsBetter(this SelectionMetricKind kind) => kind != SelectionMetricKind.LogLoss;

    /// <summary>Scores held-out rows with <see cref="MulticlassEvaluator"/>, so selection and the report agree to the last digit.</summary>
    public static SelectionMetric ToMetric(this SelectionMetricKind kind)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "metric must be one of f1, accuracy, weightedPrecision, weightedRecall, logLoss.");
        }

        return (actual, _, probabilities, classCount) =>
        {
            var names = new string[classCount];
            for (var c = 0; c < classCount; c++)
            {
                names[c] = c.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            var evaluation = MulticlassEvaluator.Evaluate(actual, probabilities, names);
            return kind switch
            {
                SelectionMetricKind.F1 => evaluation.WeightedF1,
                SelectionMetricKind.Accuracy => evaluation.Accuracy,
                SelectionMetricKind.WeightedPrecision => evaluation.WeightedPrecision,
                SelectionMetricKind.WeightedRecall => evaluation.WeightedRecall,
                _ => evaluation.LogLoss,
            };
        };
    }
}
