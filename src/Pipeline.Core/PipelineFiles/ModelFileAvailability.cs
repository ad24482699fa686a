namespace Pipeline.PipelineFiles;

/// <summary>
/// The default <see cref="IModelAvailability"/>: a model is present when the models folder holds
/// <c>&lt;name&gt;.onnx</c>, compared case-insensitively so that <c>prefer: [inceptionv3]</c> finds
/// <c>models/InceptionV3.onnx</c>.
/// </summary>
internal sealed class ModelFileAvailability(string modelsDirectory) : IModelAvailability
{
    /// <inheritdoc />
    public bool IsAvailable(string modelName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        if (!Directory.Exists(modelsDirectory))
        {
            return false;
        }

        var wanted = modelName + ".onnx";
        return Directory.EnumerateFiles(modelsDirectory, "*.onnx")
            .Any(file => string.Equals(Path.GetFileName(file), wanted, StringComparison.OrdinalIgnoreCase));
    }
}
