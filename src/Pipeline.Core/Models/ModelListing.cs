namespace Pipeline.Models;

/// <summary>One line of <c>pipeline models</c>.</summary>
/// <param name="Spec">The zoo entry (input size, dimension, preprocessing).</param>
/// <param name="Path">Where the ONNX file is expected.</param>
/// <param name="Present">Whether that file exists.</param>
public sealed record ModelListing(ModelSpec Spec, string Path, bool Present);
