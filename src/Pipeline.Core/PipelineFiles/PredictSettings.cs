namespace Pipeline.PipelineFiles;

/// <summary>Images to classify with the trained model (YAML <c>predict</c>).</summary>
/// <param name="Inputs">Image files or folders, absolute once loaded; at least one.</param>
public sealed record PredictSettings(IReadOnlyList<string> Inputs);
