namespace Pipeline.Training;

/// <summary>One grid point's cross-validated score.</summary>
/// <param name="Options">The options fitted at this point.</param>
/// <param name="FoldMetrics">The metric on each held-out fold, in fold order.</param>
/// <param name="Mean">Mean of <paramref name="FoldMetrics"/>.</param>
/// <param name="StandardDeviation">Sample standard deviation (n − 1) of <paramref name="FoldMetrics"/>.</param>
public sealed record GridPointResult(LogisticRegressionOptions Options, double[] FoldMetrics, double Mean, double StandardDeviation)
{
    public double RegParam => Options.RegParam;

    public double ElasticNetParam => Options.ElasticNetParam;

    public bool Standardization => Options.Standardization;
}
