namespace Pipeline.Models;

/// <summary>Where the per-pixel mean of <see cref="Normalization.MeanImage"/> lives.</summary>
/// <param name="File">ONNX file holding the initializer, resolved like the model file.</param>
/// <param name="Tensor">Initializer name; a float tensor [1,3,H,W] in the model's channel order, 0-255 scale.</param>
public sealed record MeanImageSource(string File, string Tensor);
