namespace Pipeline.Inference;

/// <summary>How the featurizer's ONNX Runtime session is set up. Setters validate and name the key.</summary>
public sealed record InferenceOptions
{
    /// <summary>
    /// Default batch size. ResNet18 on the shared 2-core dev CPU (load 16-19 from other jobs) gave,
    /// best of 3 rounds, 10.8/10.8/15.1/10.8 img/s for 8/16/32/64: the CPU barely cares once a
    /// batch fills the cores, 32 was best, and it is a reasonable GPU batch too.
    /// </summary>
    public const int DefaultBatchSize = 32;

    private readonly int _batchSize = DefaultBatchSize;
    private readonly int _intraOpThreads;
    private readonly int _deviceId;

    /// <summary>auto (default), cpu or cuda.</summary>
    public InferenceDevice Device { get; init; } = InferenceDevice.Auto;

    /// <summary>Images per Run, 1..4096; default <see cref="DefaultBatchSize"/>.</summary>
    public int BatchSize
    {
        get => _batchSize;
        init => _batchSize = value is >= 1 and <= 4096 ? value : throw new ArgumentOutOfRangeException(nameof(BatchSize), value, "batchSize must be in 1..4096.");
    }

    /// <summary>ORT intra-op threads on the CPU, 0..1024; 0 (default) lets ORT use one per physical core.</summary>
    public int IntraOpThreads
    {
        get => _intraOpThreads;
        init => _intraOpThreads = value is >= 0 and <= 1024 ? value : throw new ArgumentOutOfRangeException(nameof(IntraOpThreads), value, "intraOpThreads must be in 0..1024 (0 = ORT default).");
    }

    /// <summary>CUDA device ordinal, default 0.</summary>
    public int DeviceId
    {
        get => _deviceId;
        init => _deviceId = value >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(DeviceId), value, "deviceId must be ≥ 0.");
    }

    /// <summary>
    /// Whether idle ORT threads spin (default false): spinning makes ORT faster alone but steals the
    /// cores the decode stage needs while a batch is being filled.
    /// </summary>
    public bool AllowSpinning { get; init; }
}
