using Pipeline.Decoding;
using Pipeline.FeatureStore;
using Pipeline.Inference;

namespace Pipeline.Featurization;

/// <summary>Everything a featurization run can be tuned by, with the defaults a user gets.</summary>
public sealed record FeaturizationOptions
{
    private readonly int _parallelism = Environment.ProcessorCount;

    /// <summary>Device, batch size and threads of the inference engine.</summary>
    public InferenceOptions Inference { get; init; } = new();

    /// <summary>Images decoded at once (default: one per core).</summary>
    public int Parallelism
    {
        get => _parallelism;
        init => _parallelism = value is >= 1 and <= 256
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Parallelism), value, "parallelism must be between 1 and 256.");
    }

    /// <summary>File-size and pixel-count limits checked before decoding.</summary>
    public DecodeLimits Limits { get; init; } = new();

    /// <summary>Row groups, compression, part rolling and the Arrow copy of the feature store.</summary>
    public FeatureStoreOptions Store { get; init; } = new();
}
