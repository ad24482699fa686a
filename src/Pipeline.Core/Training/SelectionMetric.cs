namespace Pipeline.Training;

/// <summary>
/// Scores a model on held-out rows for <see cref="GridSearch"/>: true and predicted class indices
/// and the row-major n × <paramref name="classCount"/> probabilities.
/// </summary>
public delegate double SelectionMetric(int[] actual, int[] predicted, double[] probabilities, int classCount);

/// <summary>The default selection metric, kept minimal: the evaluation stage owns the full metrics library.</summary>
internal static class SelectionMetrics
{
    /// <summary>
    /// Spark's <c>MulticlassClassificationEvaluator</c> default <c>f1</c>: Σ_c F1_c·N_c/N over the
    /// classes that occur as true labels, with F1_c = 0 when precision + recall = 0.
    /// </summary>
    public static double WeightedF1(int[] actual, int[] predicted, double[] probabilities, int classCount)
    {
        var truePositives = new int[classCount];
        var actualCounts = new int[classCount];
        var predictedCounts = new int[classCount];
        for (var i = 0; i < actual.Length; i++)
        {
            actualCounts[actual[i]]++;
            predictedCounts[predicted[i]]++;
            if (actual[i] == predicted[i])
            {
                truePositives[actual[i]]++;
            }
        }

        var sum = 0.0;
        for (var c = 0; c < classCount; c++)
        {
            if (actualCounts[c] == 0)
            {
                continue;
            }

            var precision = predictedCounts[c] == 0 ? 0.0 : (double)truePositives[c] / predictedCounts[c];
            var recall = (double)truePositives[c] / actualCounts[c];
            var f1 = precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
            sum += f1 * actualCounts[c];
        }

        return sum / actual.Length;
    }
}
