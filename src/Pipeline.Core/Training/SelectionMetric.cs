namespace Pipeline.Training;

/// <summary>
/// Scores a model on held-out rows for <see cref="GridSearch"/>: true and predicted class indices
/// and the row-major n × <paramref name="classCount"/> probabilities.
/// </summary>
internal delegate double SelectionMetric(int[] actual, int[] predicted, double[] probabilities, int classCount);
