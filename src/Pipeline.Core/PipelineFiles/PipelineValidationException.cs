namespace Pipeline.PipelineFiles;

/// <summary>A pipeline file failed validation; <see cref="Errors"/> lists every problem found.</summary>
public sealed class PipelineValidationException : Exception
{
    /// <summary>Creates the exception; the message is one error per line.</summary>
    public PipelineValidationException(IReadOnlyList<PipelineFileError> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        ArgumentOutOfRangeException.ThrowIfZero(errors.Count);
        Errors = errors;
    }

    /// <summary>Every problem found, in file order.</summary>
    public IReadOnlyList<PipelineFileError> Errors { get; }
}
