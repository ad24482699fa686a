namespace Pipeline.Metrics;

/// <summary>
/// One row of the classification report. Ratios whose denominator is zero are 0 (Spark's
/// MulticlassMetrics, sklearn's <c>zero_division=0</c>): precision when the class is never
/// predicted, recall when it never occurs, F1 when precision + recall = 0.
/// </summary>
/// <param name="Name">The class name.</param>
/// <param name="Precision">tp / (tp + fp).</param>
/// <param name="Recall">tp / support.</param>
/// <param name="F1">2·p·r / (p + r).</param>
/// <param name="Support">How many samples have this class as their true label.</param>
/// <param name="RocAuc">One-vs-rest ROC AUC from this class's probability column; null when the
/// class has no positives or no negatives in the true labels, where AUC is undefined.</param>
public sealed record ClassMetrics(string Name, double Precision, double Recall, double F1, int Support, double? RocAuc);
