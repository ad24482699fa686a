namespace Pipeline.PipelineFiles;

/// <summary>The outcome of loading a pipeline file: a definition, or every error found.</summary>
public sealed record PipelineLoadResult
{
    /// <summary>The definition; null when <see cref="Errors"/> is not empty.</summary>
    public PipelineDefinition? Definition { get; init; }

    /// <summary>Every problem found, in file order (line, then column).</summary>
    public IReadOnlyList<PipelineFileError> Errors { get; init; } = [];

    /// <summary>True when the file is valid.</summary>
    public bool IsValid => Errors.Count == 0;

    /// <summary>The definition, or a <see cref="PipelineValidationException"/> listing every error.</summary>
    public PipelineDefinition GetDefinitionOrThrow() =>
        IsValid ? Definition! : throw new PipelineValidationException(Errors);
}
