namespace Pipeline.Training;

/// <summary>Every grid point's score (regParam-major order), the chosen point and the model refitted on all rows with it.</summary>
public sealed record GridSearchResult(IReadOnlyList<GridPointResult> Points, GridPointResult Best, LogisticRegressionModel Model);
