namespace Pipeline.Inference;

/// <summary>The arithmetic the featurizer runs in; features of one precision are not interchangeable with the other's.</summary>
public enum FeaturePrecision
{
    /// <summary>The model as trained, float32 throughout (the default).</summary>
    Fp32,

    /// <summary>
    /// Static post-training quantization: int8 weights per output channel and uint8 activations
    /// calibrated on the run's first images, run by ONNX Runtime's integer kernels.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "int8 is the precision's name, as ONNX Runtime and the option spell it.")]
    Int8,
}
