using YamlDotNet.Core;

namespace Pipeline.Runs;

/// <summary>Collects every error of one pipeline file so that the user sees all of them at once.</summary>
internal sealed class PipelineFileDiagnostics(string file)
{
    private readonly List<PipelineFileError> _errors = [];

    /// <summary>The file as the user named it.</summary>
    public string File { get; } = file;

    /// <summary>True once any error was reported.</summary>
    public bool HasErrors => _errors.Count > 0;

    /// <summary>
    /// Records an error at a YAML position (YamlDotNet marks are 1-based). Line breaks that a quoted value
    /// brings into the key or the message are escaped, so that every error stays one line.
    /// </summary>
    public void Add(Mark at, string key, string message) =>
        _errors.Add(new PipelineFileError(File, (int)Math.Max(1, at.Line), (int)Math.Max(1, at.Column), OneLine(key), OneLine(message)));

    private static string OneLine(string text) =>
        text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    /// <summary>Every error, in file order.</summary>
    public IReadOnlyList<PipelineFileError> Sorted() =>
        [.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column)];
}
