using System.Text;

namespace Pipeline.Sources;

/// <summary>
/// Reads RFC 4180 records one at a time: fields separated by commas, a field in double quotes may
/// hold commas, doubled quotes and line breaks. Blank lines are skipped. Lenient where the RFC
/// leaves no meaning (a quote inside an unquoted field is kept as text), strict where data would
/// silently change (an unterminated quoted field is an error).
/// </summary>
internal sealed class CsvRecordReader(TextReader reader, string fileForMessages)
{
    private readonly StringBuilder _field = new();
    private readonly List<string> _fields = [];
    private int _linesRead;

    /// <summary>The fields of the current record; reused by the next read.</summary>
    public IReadOnlyList<string> Fields => _fields;

    /// <summary>1-based line on which the current record starts.</summary>
    public int LineNumber { get; private set; }

    /// <summary>Advances to the next non-blank record; false at the end of the file.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        string? line;
        do
        {
            line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                return false;
            }

            _linesRead++;
        }
        while (line.Length == 0);

        LineNumber = _linesRead;
        _fields.Clear();
        _field.Clear();
        var inQuotes = false;
        var fieldStart = true;
        while (true)
        {
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (inQuotes)
                {
                    if (c != '"')
                    {
                        _field.Append(c);
                    }
                    else if (i + 1 < line.Length && line[i + 1] == '"')
                    {
                        _field.Append('"');
                        i++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else if (c == ',')
                {
                    _fields.Add(_field.ToString());
                    _field.Clear();
                    fieldStart = true;
                    continue;
                }
                else if (c == '"' && fieldStart)
                {
                    inQuotes = true;
                }
                else
                {
                    _field.Append(c);
                }

                fieldStart = false;
            }

            if (!inQuotes)
            {
                break;
            }

            // A line break inside quotes belongs to the field; ReadLine dropped it.
            line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null)
            {
                throw new SourceException(
                    $"Manifest '{fileForMessages}' line {LineNumber}: a quoted field is not closed before the end of the file.");
            }

            _linesRead++;
            _field.Append('\n');
        }

        _fields.Add(_field.ToString());
        return true;
    }
}
