using Pipeline.Training;

namespace Pipeline.Classifier;

/// <summary>A grid search as <c>model.json</c> records it: the metric, the folds, every point and the chosen one.</summary>
/// <param name="Metric">The selection metric (Spark's name: f1, accuracy, weightedPrecision, weightedRecall, logLoss).</param>
/// <param name="Folds">Number of cross-validation folds.</param>
/// <param name="Points">Every grid point in regParam-major order with its per-fold metrics, mean and sample standard deviation.</param>
/// <param name="Chosen">The point refitted on all training rows.</param>
public sealed record ClassifierGridSearch(string Metric, int Folds, IReadOnlyList<GridPointResult> Points, GridPointResult Chosen);
