using Pipeline.Training;
using Pipeline.Decoding;
using Pipeline.Settings;
using Pipeline.Sources;

namespace Pipeline.PipelineFiles;

/// <summary>
/// One validated pipeline file with every default filled in: what a run reads, how it featurizes,
/// trains, evaluates and predicts, and where it writes. Built by <see cref="PipelineFileLoader"/>.
/// </summary>
public sealed record PipelineDefinition
{
    /// <summary>Run name (YAML <c>name</c>; default the file name without extension).</summary>
    public required string Name { get; init; }

    /// <summary>The labelled images featurized and trained on.</summary>
    public required SourceDefinition Source { get; init; }

    /// <summary>The CNN used as featurizer.</summary>
    public required ModelChoice Model { get; init; }

    /// <summary>Featurization settings.</summary>
    public required FeaturizeSettings Featurize { get; init; }

    /// <summary>Decode limits (YAML <c>limits</c>; default the service's <c>Pipeline:Limits</c>).</summary>
    public required DecodeLimits Limits { get; init; }

    /// <summary>How a stream commits, when <see cref="Source"/> never ends (YAML <c>stream</c>); batch runs ignore it.</summary>
    public StreamSettings Stream { get; init; } = new();

    /// <summary>
    /// How <see cref="Source"/> is split into train and test; null when <see cref="TestSource"/> gives a
    /// separate test set.
    /// </summary>
    public SplitSettings? Split { get; init; }

    /// <summary>A separate test set (YAML <c>testSource</c>); exclusive with <see cref="Split"/>.</summary>
    public SourceDefinition? TestSource { get; init; }

    /// <summary>Training parameters, Spark's defaults where the file is silent (also the fixed parameters of a grid search).</summary>
    public required LogisticRegressionOptions Train { get; init; }

    /// <summary>A grid search over <see cref="LogisticRegressionOptions.RegParam"/> and <see cref="LogisticRegressionOptions.ElasticNetParam"/>; null for a single fit.</summary>
    public GridSettings? Grid { get; init; }

    /// <summary>Evaluate on the test set and write the report (YAML <c>evaluate.enabled</c>, default true).</summary>
    public bool Evaluate { get; init; } = SettingCatalog.Evaluate.Enabled.Default;

    /// <summary>Images classified after training; null when the file has no <c>predict</c>.</summary>
    public PredictSettings? Predict { get; init; }

    /// <summary>The run folder as written in the file, relative to the output root.</summary>
    public required string Output { get; init; }

    /// <summary>The run folder, absolute, checked to lie inside the output root.</summary>
    public required string OutputPath { get; init; }
}
