using System.Globalization;
using Pipeline.Decoding;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Settings;
using Pipeline.Sources;

namespace Pipeline.Featurization;

/// <summary>Everything a featurization run can be tuned by, with the defaults a user gets.</summary>
public sealed record FeaturizationOptions
{
    private readonly int _parallelism = SettingCatalog.Featurize.Parallelism.Default;
    private readonly int _calibrationImages = SettingCatalog.Featurize.CalibrationImages.Default;

    /// <summary>Device, batch size and threads of the inference engine.</summary>
    public InferenceOptions Inference { get; init; } = new();

    /// <summary>Images decoded at once (default: one per core, at most 256).</summary>
    public int Parallelism
    {
        get => _parallelism;
        init => _parallelism = SettingCatalog.Featurize.Parallelism.Allows(value)
            ? value
            : throw new ArgumentOutOfRangeException(
                nameof(Parallelism),
                value,
                string.Create(CultureInfo.InvariantCulture, $"parallelism must be between {SettingCatalog.Featurize.Parallelism.Range.Min} and {SettingCatalog.Featurize.Parallelism.Range.Max}."));
    }

    /// <summary>With int8, how many of the source's first images calibrate the activation ranges (default 200).</summary>
    public int CalibrationImages
    {
        get => _calibrationImages;
        init => _calibrationImages = SettingCatalog.Featurize.CalibrationImages.Allows(value)
            ? value
            : throw new ArgumentOutOfRangeException(
                nameof(CalibrationImages),
                value,
                string.Create(CultureInfo.InvariantCulture, $"calibrationImages must be between {SettingCatalog.Featurize.CalibrationImages.Range.Min} and {SettingCatalog.Featurize.CalibrationImages.Range.Max}."));
    }

    /// <summary>File-size and pixel-count limits checked before decoding.</summary>
    public DecodeLimits Limits { get; init; } = new();

    /// <summary>Row groups, compression, part rolling and the Arrow copy of the feature store.</summary>
    public FeatureStoreOptions Store { get; init; } = new();

    /// <summary>
    /// <see cref="Inference"/> as the run uses it: a stream given no batch size takes
    /// <see cref="SettingCatalog.Featurize.StreamBatchSize"/> rather than the CPU's 1, since each of
    /// its micro-batches is committed as a part of its own.
    /// </summary>
    internal InferenceOptions EffectiveInference =>
        Stream is not null && Inference.BatchSize == 0 ? Inference with { BatchSize = SettingCatalog.Featurize.StreamBatchSize } : Inference;

    /// <summary>
    /// Null (the default) for a batch run, which reads its source to the end; set for a stream over a
    /// source that never ends, whose micro-batches are each committed as they are inferred.
    /// </summary>
    public StreamOptions? Stream { get; init; }

    /// <summary>
    /// Null (the default) for a run that featurizes the whole source into a store of its own; set,
    /// the run featurizes only this shard's images into a store shared with the other shards'
    /// processes (see <see cref="ShardedFeaturization"/>).
    /// </summary>
    internal Shard? Shard { get; init; }

    /// <summary>
    /// Null (the default) for an int8 run that calibrates on its source's first images; set, the
    /// int8 graph the run must use instead (see <see cref="RecordedQuantizedGraph"/>).
    /// </summary>
    internal RecordedQuantizedGraph? RecordedGraph { get; init; }
}
