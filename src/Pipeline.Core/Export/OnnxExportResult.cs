namespace Pipeline.Export;

/// <summary>What <see cref="OnnxExportJob"/> wrote.</summary>
/// <param name="OnnxPath">The exported <c>model.onnx</c>, or null when it was not exported (see <paramref name="Warnings"/>).</param>
/// <param name="Warnings">Why it was not exported, one sentence each; empty after an export.</param>
public sealed record OnnxExportResult(string? OnnxPath, IReadOnlyList<string> Warnings);
