using Pipeline.Settings;

namespace Pipeline.Training;

/// <summary>
/// What <see cref="Classifier.TrainingJob"/> trains on, how, and where it writes: the options of
/// <c>pipeline train</c>, with its defaults.
/// </summary>
public sealed record TrainingJobOptions
{
    private readonly double _testFraction = SettingCatalog.Split.TestFraction.Default;
    private readonly int _folds = SettingCatalog.Grid.Folds.Default;

    /// <summary>The feature store to train on (required).</summary>
    public required string FeaturesDirectory { get; init; }

    /// <summary>The model folder to write (required): model.json, model.onnx, report/.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>A separate test store; when set, every row of <see cref="FeaturesDirectory"/> is trained on and <see cref="TestFraction"/> is ignored.</summary>
    public string? TestFeaturesDirectory { get; init; }

    /// <summary>The report folder (default <c>&lt;OutputDirectory&gt;/report</c>).</summary>
    public string? ReportDirectory { get; init; }

    /// <summary>Where the zoo's ONNX files are, to export <c>model.onnx</c> (default <c>models</c>; bundled models need none).</summary>
    public string ModelsDirectory { get; init; } = SettingCatalog.Service.ModelsDirectory.Default;

    /// <summary>
    /// Layers of a store featurized with several (<c>--layers</c>) to train on, in this order; empty
    /// trains on every column. The test store gives the same layers' columns.
    /// </summary>
    public IReadOnlyList<string> Layers { get; init; } = [];

    /// <summary>The solver's hyper-parameters (Spark's defaults); for a grid search, everything but the grid's own axes.</summary>
    public LogisticRegressionOptions Regression { get; init; } = LogisticRegressionOptions.Default;

    /// <summary>
    /// Share of rows held out for the test split, in [0, 1) (default 0.2). 0 trains on every row, as
    /// Spark's <c>fit(df)</c> does once parameters are chosen by cross-validation; there is then no
    /// evaluation unless <see cref="TestFeaturesDirectory"/> gives a test store.
    /// </summary>
    public double TestFraction
    {
        get => _testFraction;
        init => _testFraction = SettingCatalog.Split.TestFraction.Allows(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(TestFraction), value, "testFraction must be in [0, 1).");
    }

    /// <summary>Seed of the train/test split, and of the folds unless <see cref="FoldSeed"/> is set (default 42).</summary>
    public ulong Seed { get; init; } = (ulong)SettingCatalog.Split.Seed.Default;

    /// <summary>Seed of a grid search's folds (default: <see cref="Seed"/>); pipeline files set it apart as <c>grid.seed</c>.</summary>
    public ulong? FoldSeed { get; init; }

    /// <summary>Keep class proportions in the train/test split (default false, like Spark's randomSplit). Folds are always stratified.</summary>
    public bool Stratified { get; init; } = SettingCatalog.Split.Stratify.Default;

    /// <summary>regParam values of a grid search; null (with the other grid axes null) fits <see cref="Regression"/> once.</summary>
    public IReadOnlyList<double>? GridRegParams { get; init; }

    /// <summary>elasticNetParam values of a grid search; null with a grid means <see cref="Regression"/>'s one value.</summary>
    public IReadOnlyList<double>? GridElasticNetParams { get; init; }

    /// <summary>standardization values of a grid search (<c>[true, false]</c> lets cross-validation choose); null with a grid means <see cref="Regression"/>'s one value.</summary>
    public IReadOnlyList<bool>? GridStandardization { get; init; }

    /// <summary>Cross-validation folds of a grid search, 2 to 100 (default 3, Spark's numFolds).</summary>
    public int Folds
    {
        get => _folds;
        init => _folds = SettingCatalog.Grid.Folds.Allows(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Folds), value, SettingCatalog.Grid.Folds.OutOfRange(nameof(Folds), value));
    }

    /// <summary>The metric a grid search selects by (default f1, Spark's default).</summary>
    public SelectionMetricKind Metric { get; init; } = SettingCatalog.Grid.Metric.DefaultAs<SelectionMetricKind>();

    /// <summary>Evaluate on the test rows and write the report (default true); false only fits and saves the model. Without test rows there is nothing to evaluate.</summary>
    public bool Evaluate { get; init; } = SettingCatalog.Evaluate.Enabled.Default;

    /// <summary>Whether test rows exist: a test store, or a held-out fraction above 0.</summary>
    public bool HasTestRows => TestFeaturesDirectory is not null || TestFraction > 0;

    /// <summary>Whether a grid search runs.</summary>
    public bool IsGridSearch => GridRegParams is not null || GridElasticNetParams is not null || GridStandardization is not null;

    /// <summary>The report folder after defaulting.</summary>
    public string ReportDirectoryOrDefault => ReportDirectory ?? Path.Combine(OutputDirectory, "report");
}
