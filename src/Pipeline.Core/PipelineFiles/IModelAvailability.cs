namespace Pipeline.PipelineFiles;

/// <summary>Answers whether a model's file is present, to resolve <see cref="ModelChoice.Prefer"/>.</summary>
internal interface IModelAvailability
{
    /// <summary>True when the named model can be loaded on this machine.</summary>
    bool IsAvailable(string modelName);
}
