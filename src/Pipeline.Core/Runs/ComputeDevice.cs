namespace Pipeline.Runs;

/// <summary>Where inference runs (YAML <c>featurize.device</c>, appsettings <c>Pipeline:Device</c>).</summary>
public enum ComputeDevice
{
    /// <summary>CUDA when a GPU and the CUDA provider load, otherwise CPU.</summary>
    Auto,

    /// <summary>CPU only.</summary>
    Cpu,

    /// <summary>CUDA; the run fails when it cannot be used.</summary>
    Cuda,
}
