using Pipeline.Settings;

namespace Pipeline.PipelineFiles;

/// <summary>
/// The train/test split of one source (YAML <c>split</c>), Spark's <c>randomSplit([1 - f, f], seed)</c>.
/// The tutorial's 80/20 with seed 42 is the default.
/// </summary>
/// <param name="TestFraction">Fraction held out for testing, at least 0 and less than 1 (default 0.2); 0 trains on every row and evaluates nothing.</param>
/// <param name="Seed">Random seed (default 42).</param>
/// <param name="Stratify">Split each class separately so both sides keep the class balance (default false).</param>
public sealed record SplitSettings(
    double TestFraction = SettingCatalog.Split.DefaultTestFraction,
    long Seed = SettingCatalog.Split.DefaultSeed,
    bool Stratify = SettingCatalog.Split.DefaultStratify);
