using Pipeline.Decoding;
using Pipeline.FeatureStore;
using Pipeline.Featurization;
using Pipeline.Inference;
using Pipeline.Settings;

namespace Pipeline.PipelineFiles;

/// <summary>
/// How images become feature rows (YAML <c>featurize</c>). Values the file leaves out come from the
/// service defaults (<see cref="RunDefaults"/>) or from their definitions in <see cref="SettingCatalog.Featurize"/>.
/// </summary>
public sealed record FeaturizeSettings
{
    /// <summary>Images per inference batch (1 to 4096).</summary>
    public required int BatchSize { get; init; }

    /// <summary>Concurrent decode/preprocess workers (1 to 256).</summary>
    public required int Parallelism { get; init; }

    /// <summary>Inference device.</summary>
    public required InferenceDevice Device { get; init; }

    /// <summary>fp32 (default) or int8.</summary>
    public FeaturePrecision Precision { get; init; } = SettingCatalog.Featurize.Precision.DefaultAs<FeaturePrecision>();

    /// <summary>With int8, the source's first images that calibrate it (1 to 100 000; default 200).</summary>
    public int CalibrationImages { get; init; } = SettingCatalog.Featurize.CalibrationImages.Default;

    /// <summary>Rows per feature-store part file (1 or more; default 10 000).</summary>
    public int RowsPerPart { get; init; } = SettingCatalog.Featurize.RowsPerPart.Default;

    /// <summary>
    /// A part is flushed after this many seconds even when not full, so that an interrupted run loses at
    /// most this much work (0 to 86400; default 30).
    /// </summary>
    public double PartSeconds { get; init; } = SettingCatalog.Featurize.PartSeconds.Default;

    /// <summary>Also write the features as Arrow IPC (default false).</summary>
    public bool Arrow { get; init; } = SettingCatalog.Featurize.Arrow.Default;

    /// <summary>Which share of the source the run featurizes: none (the default), auto, or i/N.</summary>
    public string Shard { get; init; } = SettingCatalog.Featurize.Shard.Default;

    /// <summary>With <see cref="Shard"/> auto: the number of shards when the environment does not give it (0: none given).</summary>
    public int ShardCount { get; init; } = SettingCatalog.Featurize.ShardCount.Default;

    /// <summary>The featurization graph's options for these settings and <paramref name="limits"/>.</summary>
    internal FeaturizationOptions ToOptions(DecodeLimits limits) => new()
    {
        Inference = new InferenceOptions { Device = Device, BatchSize = BatchSize, Precision = Precision },
        Parallelism = Parallelism,
        CalibrationImages = CalibrationImages,
        Limits = limits,
        Store = new FeatureStoreOptions
        {
            RowsPerPart = RowsPerPart,
            PartInterval = TimeSpan.FromSeconds(PartSeconds),
            WriteArrow = Arrow,
        },
    };
}
