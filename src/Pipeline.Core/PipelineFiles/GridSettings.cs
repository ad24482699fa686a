using Pipeline.Settings;
using Pipeline.Training;
namespace Pipeline.PipelineFiles;

/// <summary>
/// A cross-validated grid search (YAML <c>grid</c>), Spark's <c>CrossValidator</c> over a
/// <c>ParamGridBuilder</c>: every (regParam, elasticNetParam) pair is fitted on <see cref="Folds"/>
/// folds with the other parameters from <see cref="LogisticRegressionOptions"/>, and the best pair by
/// <see cref="Metric"/> is refitted on all training rows.
/// </summary>
/// <param name="RegParam">Values of λ to try; a list the file leaves out is <c>[train.regParam]</c>.</param>
/// <param name="ElasticNetParam">Values of α to try; a list the file leaves out is <c>[train.elasticNetParam]</c>.</param>
/// <param name="Folds">Number of folds, 2 to 100 (Spark default 3).</param>
/// <param name="Metric">The metric maximised (Spark default f1).</param>
/// <param name="Seed">Seed of the fold assignment (default 42).</param>
public sealed record GridSettings(
    IReadOnlyList<double> RegParam,
    IReadOnlyList<double> ElasticNetParam,
    int Folds = SettingCatalog.Grid.DefaultFolds,
    SelectionMetricKind Metric = SelectionMetricKind.F1,
    long Seed = SettingCatalog.Grid.DefaultSeed)
{
    /// <summary>Values of standardization to try (YAML <c>grid.standardization</c>); a list the file leaves out is <c>[train.standardization]</c>.</summary>
    public IReadOnlyList<bool> Standardization { get; init; } = [SettingCatalog.Train.Standardization.Default];
}
