namespace Pipeline.PipelineFiles;

/// <summary>
/// One problem in a pipeline file, positioned like a compiler diagnostic:
/// <c>pipelines/x.yaml:7:5: train.regParm: unknown key; did you mean 'regParam'?</c>
/// </summary>
/// <param name="File">The file as the user named it.</param>
/// <param name="Line">1-based line.</param>
/// <param name="Column">1-based column.</param>
/// <param name="Key">Dotted key path (<c>train.regParam</c>, <c>predict.inputs[1]</c>); empty for syntax errors.</param>
/// <param name="Message">What is wrong and what is allowed.</param>
public sealed record PipelineFileError(string File, int Line, int Column, string Key, string Message)
{
    /// <inheritdoc />
    public override string ToString() => Key.Length == 0
        ? $"{File}:{Line}:{Column}: {Message}"
        : $"{File}:{Line}:{Column}: {Key}: {Message}";
}
