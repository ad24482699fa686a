using Pipeline.Featurization;

namespace Pipeline.Prediction;

/// <summary>What <see cref="PredictionJob"/> classifies with what, and where it writes: the options of <c>pipeline predict</c>.</summary>
public sealed record PredictionJobOptions
{
    /// <summary>The model folder written by training (required).</summary>
    public required string ModelDirectory { get; init; }

    /// <summary>A folder, a manifest, <c>idx:IMAGES,LABELS</c>, or image files (required); see <see cref="PredictionInput.OpenAsync"/>.</summary>
    public required IReadOnlyList<string> Inputs { get; init; }

    /// <summary>The predictions Parquet file to write (required).</summary>
    public required string OutputPath { get; init; }

    /// <summary>Where the zoo's ONNX files are (default <c>models</c>; bundled models need none).</summary>
    public string ModelsDirectory { get; init; } = "models";

    /// <summary>Device, batch size, parallelism and decode limits of the featurization (the store options are not used: predictions keep no store).</summary>
    public FeaturizationOptions Featurization { get; init; } = new();
}
