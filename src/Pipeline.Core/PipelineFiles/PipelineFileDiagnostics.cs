using System.Globalization;
using System.Text;
using YamlDotNet.Core;

namespace Pipeline.PipelineFiles;

/// <summary>Collects every error of one pipeline file so that the user sees all of them at once.</summary>
internal sealed class PipelineFileDiagnostics(string file)
{
    private readonly List<PipelineFileError> _errors = [];

    /// <summary>The file as the user named it.</summary>
    public string File { get; } = file;

    /// <summary>True once any error was reported.</summary>
    public bool HasErrors => _errors.Count > 0;

    /// <summary>
    /// Records an error at a YAML position (YamlDotNet marks are 1-based). Control characters that a quoted
    /// value brings into the key or the message are escaped: a line break would split the error, and a NUL
    /// or a terminal escape sequence would garble the line it is printed on.
    /// </summary>
    public void Add(Mark at, string key, string message) =>
        _errors.Add(new PipelineFileError(File, (int)Math.Max(1, at.Line), (int)Math.Max(1, at.Column), OneLine(key), OneLine(message)));

    private static string OneLine(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\r':
                    escaped.Append("\\r");
                    break;
                case '\n':
                    escaped.Append("\\n");
                    break;
                case '\t':
                    escaped.Append("\\t");
                    break;
                case var control when char.IsControl(control):
                    escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)control:X4}");
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }

        return escaped.ToString();
    }

    /// <summary>Every error, in file order.</summary>
    public IReadOnlyList<PipelineFileError> Sorted() =>
        [.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column)];
}
