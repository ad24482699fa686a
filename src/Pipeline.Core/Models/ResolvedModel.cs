namespace Pipeline.Models;

/// <summary>A zoo entry whose files were found on disk.</summary>
/// <param name="Spec">The zoo entry.</param>
/// <param name="OnnxPath">Absolute path of the ONNX file.</param>
/// <param name="MeanImagePath">Absolute path of the file holding the mean image, when the spec uses one.</param>
public sealed record ResolvedModel(ModelSpec Spec, string OnnxPath, string? MeanImagePath);
