namespace Pipeline.Inference;

/// <summary>Where the featurizer runs (<c>--device</c>).</summary>
public enum InferenceDevice
{
    /// <summary>CUDA when a session can be created and run on it, otherwise the CPU, with one info line naming why (the missing library).</summary>
    Auto,

    Cpu,

    /// <summary>CUDA or a clear error: for runs that must not silently fall back to the CPU.</summary>
    Cuda,
}
