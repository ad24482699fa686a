using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Pipeline.PipelineFiles;

/// <summary>
/// Loads a pipeline file's YAML into nodes, turning every way YamlDotNet 18.1.0 gives up on broken
/// syntax into one positioned error. Besides its <see cref="YamlException"/>s (some of which, like a
/// tab used as indentation, carry no position), its scanner throws a bare
/// <see cref="InvalidOperationException"/> when a plain value inside an unclosed <c>[</c> or <c>{</c>
/// runs into a line indented less than the enclosing block (<c>Scanner.ScanPlainScalar</c>), and its
/// node loader throws an <see cref="ArgumentException"/> when the parser ends a mapping where a value
/// is due (a line holding only <c>: value</c>). Neither says where; this reader tracks the open
/// collections so that it can.
/// </summary>
internal static partial class YamlDocumentReader
{
    /// <summary>
    /// Deepest nesting accepted. A pipeline file nests three levels; YamlDotNet's node loader recurses
    /// once per level, so a hostile file of a few hundred thousand <c>[</c> would overflow the stack and
    /// take the worker down with it.
    /// </summary>
    public const int MaxDepth = 64;

    /// <summary>The YAML stream, or null after reporting the syntax error to <paramref name="diagnostics"/>.</summary>
    public static YamlStream? Load(string yaml, PipelineFileDiagnostics diagnostics)
    {
        var scanner = new Scanner(new StringReader(yaml));
        var parser = new TrackingParser(new Parser(scanner));
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
            return stream;
        }
        catch (YamlException e)
        {
            // A mark-less exception is thrown before the scanner consumes the offending character.
            diagnostics.Add(e.Start.Equals(Mark.Empty) ? scanner.CurrentPosition : e.Start, "", Syntax(e.Message));
        }
        catch (InvalidOperationException e) when (e.Message.Contains("no more tokens", StringComparison.Ordinal))
        {
            // The parser has ended the stream (after a '...' document end marker) while the scanner still holds text.
            diagnostics.Add(scanner.CurrentPosition, "", Syntax("text after the end of the document ('...' ends a YAML document); remove it or start the value on its own line"));
        }
        catch (InvalidOperationException)
        {
            // The scanner looks ahead for a ':' after a possible key, so the bracket may still sit in
            // its queue, unseen by the parser; then only the line it failed on is known.
            diagnostics.Add(scanner.CurrentPosition, "", Syntax(parser.InnermostFlow is { } flow
                ? $"'{(flow is SequenceStart ? '[' : '{')}' opened at line {flow.Start.Line}, column {flow.Start.Column} is not closed; add '{(flow is SequenceStart ? ']' : '}')}' or quote the value"
                : "a '[' or '{' before this line is not closed, and this line is indented less than its block; close it or quote the value"));
        }
        catch (ArgumentException) when (parser.LastEnded is MappingStart mapping)
        {
            // The loader met the end of this mapping where the value of its last key was due.
            diagnostics.Add(mapping.Start, "", Syntax("this mapping has an entry without a key or without a value"));
        }

        return null;
    }

    /// <summary>YamlDotNet prefixes some messages with "(Line: 3, Col: 5, Idx: 20) - (…): "; the position is reported separately.</summary>
    private static string Syntax(string message) =>
        "YAML syntax error: " + string.Join(' ', PositionPrefix().Replace(message, "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex PositionPrefix();

    /// <summary>Passes the parser's events through, keeping the collections still open.</summary>
    private sealed class TrackingParser(IParser inner) : IParser
    {
        private readonly Stack<NodeEvent> _open = new();

        public ParsingEvent? Current => inner.Current;

        /// <summary>The start of the collection whose end was the last event.</summary>
        public NodeEvent? LastEnded { get; private set; }

        /// <summary>The innermost <c>[…]</c> or <c>{…}</c> not yet closed.</summary>
        public NodeEvent? InnermostFlow => _open.FirstOrDefault(e => e is SequenceStart { Style: SequenceStyle.Flow } or MappingStart { Style: MappingStyle.Flow });

        public bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                return false;
            }

            LastEnded = null;
            switch (inner.Current)
            {
                case SequenceStart or MappingStart:
                    if (_open.Count == MaxDepth)
                    {
                        throw new SemanticErrorException(inner.Current.Start, inner.Current.End,
                            $"nested deeper than {MaxDepth} levels; a pipeline file needs three");
                    }

                    _open.Push((NodeEvent)inner.Current);
                    break;
                case SequenceEnd or MappingEnd:
                    LastEnded = _open.TryPop(out var ended) ? ended : null;
                    break;
            }

            return true;
        }
    }
}
