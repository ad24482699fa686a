namespace Pipeline.Metrics;

/// <summary>
/// An average row of the classification report (sklearn's "macro avg" or "weighted avg").
/// </summary>
/// <param name="Support">The total number of samples, as sklearn prints on its average rows.</param>
public sealed record AveragedMetrics(double Precision, double Recall, double F1, int Support);
