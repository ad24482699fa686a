using Pipeline.Settings;

namespace Pipeline.Inference;

/// <summary>How the featurizer's ONNX Runtime session is set up. Setters validate and name the key.</summary>
public sealed record InferenceOptions
{
    /// <summary>Default batch size, 0: the device chooses (<see cref="SettingCatalog.Featurize.CpuBatchSize"/>, <see cref="SettingCatalog.Featurize.CudaBatchSize"/>).</summary>
    public static int DefaultBatchSize => SettingCatalog.Featurize.BatchSize.Default;

    private readonly int _batchSize = DefaultBatchSize;
    private readonly int _intraOpThreads;
    private readonly int _deviceId;
    private readonly int _concurrentRuns;

    /// <summary>auto (default), cpu or cuda.</summary>
    public InferenceDevice Device { get; init; } = InferenceDevice.Auto;

    /// <summary>Images per Run, 1..4096, or 0 (default) for the device's choice, which <see cref="FeatureExtractor.BatchSize"/> tells once the device is known.</summary>
    public int BatchSize
    {
        get => _batchSize;
        init => _batchSize = SettingCatalog.Featurize.BatchSize.Allows(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, $"batchSize must be in {SettingCatalog.Featurize.BatchSize.Range.Min}..{SettingCatalog.Featurize.BatchSize.Range.Max}.");
    }

    /// <summary>ORT intra-op threads on the CPU, 0..1024, a pool the concurrent runs share; 0 (default): one thread per core in all, or with one run ORT's one per physical core.</summary>
    public int IntraOpThreads
    {
        get => _intraOpThreads;
        init => _intraOpThreads = value is >= 0 and <= 1024 ? value : throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), value, "intraOpThreads must be in 0..1024 (0 = ORT default).");
    }

    /// <summary>
    /// Runs in flight at once, each on a batch of its own, 0..64; 0 (default) for the device's choice,
    /// which <see cref="FeatureExtractor.ConcurrentRuns"/> tells once the device is known.
    /// </summary>
    public int ConcurrentRuns
    {
        get => _concurrentRuns;
        init => _concurrentRuns = value is >= 0 and <= 64 ? value : throw new ArgumentOutOfRangeException(nameof(ConcurrentRuns), value, "concurrentRuns must be in 0..64 (0 = the device's choice).");
    }

    /// <summary>CUDA device ordinal, default 0.</summary>
    public int DeviceId
    {
        get => _deviceId;
        init => _deviceId = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(DeviceId), value, "deviceId must be ≥ 0.");
    }

    /// <summary>fp32 (default) or int8, which runs a quantized featurizer on the CPU (see <see cref="Int8Calibrator"/>).</summary>
    public FeaturePrecision Precision { get; init; } = FeaturePrecision.Fp32;

    /// <summary>
    /// Whether idle ORT threads spin (default false): spinning makes ORT faster alone but steals the
    /// cores the decode stage needs while a batch is being filled.
    /// </summary>
    public bool AllowSpinning { get; init; }
}
