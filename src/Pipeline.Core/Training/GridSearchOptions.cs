using Pipeline.Settings;

namespace Pipeline.Training;

/// <summary>
/// A regParam × elasticNetParam × standardization grid evaluated by k-fold cross-validation, like
/// Spark's <c>ParamGridBuilder</c> + <c>CrossValidator</c> (numFolds 3).
/// </summary>
internal sealed record GridSearchOptions
{
    private readonly IReadOnlyList<double> _regParams = [0.0];
    private readonly IReadOnlyList<double> _elasticNetParams = [0.0];
    private readonly IReadOnlyList<bool> _standardizations = [LogisticRegressionOptions.Default.Standardization];
    private readonly int _folds = SettingCatalog.Grid.Folds.Default;
    private readonly int _maxDegreeOfParallelism = Environment.ProcessorCount;

    /// <summary>regParam values to try, each ≥ 0 (default [0]).</summary>
    public IReadOnlyList<double> RegParams
    {
        get => _regParams;
        init => _regParams = Validate(value, nameof(RegParams), v => _ = new LogisticRegressionOptions { RegParam = v });
    }

    /// <summary>elasticNetParam values to try, each in [0, 1] (default [0]).</summary>
    public IReadOnlyList<double> ElasticNetParams
    {
        get => _elasticNetParams;
        init => _elasticNetParams = Validate(value, nameof(ElasticNetParams), v => _ = new LogisticRegressionOptions { ElasticNetParam = v });
    }

    /// <summary>standardization values to try (default [true], Spark's); [true, false] lets cross-validation choose.</summary>
    public IReadOnlyList<bool> Standardizations
    {
        get => _standardizations;
        init
        {
            ArgumentNullException.ThrowIfNull(value, nameof(Standardizations));
            _standardizations = value.Count > 0
                ? value.ToArray()
                : throw new ArgumentOutOfRangeException(nameof(Standardizations), "The grid needs at least one value for Standardizations.");
        }
    }

    /// <summary>Everything else (maxIter, tol, fitIntercept) for every fit; each point's standardization comes from <see cref="Standardizations"/>.</summary>
    public LogisticRegressionOptions BaseOptions { get; init; } = LogisticRegressionOptions.Default;

    /// <summary>Number of folds, 2 to 100 (default 3, Spark's numFolds).</summary>
    public int Folds
    {
        get => _folds;
        init => _folds = SettingCatalog.Grid.Folds.Allows(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Folds), value, SettingCatalog.Grid.Folds.OutOfRange(nameof(Folds), value));
    }

    /// <summary>Seed of the fold assignment (default 42, a pipeline file's <c>grid.seed</c>).</summary>
    public ulong Seed { get; init; } = (ulong)SettingCatalog.Grid.Seed.Default;

    /// <summary>
    /// Keep class proportions in every fold (default true; Spark does not stratify, but small
    /// classes would otherwise leave folds without a class).
    /// </summary>
    public bool Stratified { get; init; } = true;

    /// <summary>Concurrent fits, ≥ 1 (default: processor count); each fit parallelises over the cores left to it.</summary>
    public int MaxDegreeOfParallelism
    {
        get => _maxDegreeOfParallelism;
        init => _maxDegreeOfParallelism = value >= 1
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), value, "maxDegreeOfParallelism must be >= 1.");
    }

    /// <summary>The score to select by; null means weighted F1 (Spark's default <c>f1</c>).</summary>
    public SelectionMetric? Metric { get; init; }

    /// <summary>Whether a larger <see cref="Metric"/> is better (default true).</summary>
    public bool LargerIsBetter { get; init; } = true;

    private static double[] Validate(IReadOnlyList<double> values, string name, Action<double> check)
    {
        ArgumentNullException.ThrowIfNull(values, name);
        if (values.Count == 0)
        {
            throw new ArgumentOutOfRangeException(name, "The grid needs at least one value for " + name + ".");
        }

        foreach (var value in values)
        {
            check(value);
        }

        return values.ToArray();
    }
}
