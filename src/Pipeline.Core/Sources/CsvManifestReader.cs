using System.Runtime.CompilerServices;
using System.Text;

namespace Pipeline.Sources;

/// <summary>
/// Streams the rows of a CSV manifest (UTF-8 with or without BOM, header row first) and rejects a
/// malformed one with its line and column, so that a bad manifest fails before featurizing starts.
/// </summary>
internal static class CsvManifestReader
{
    public static async IAsyncEnumerable<ManifestRow> ReadRowsAsync(
        string manifestPath,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(manifestPath, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        var records = new CsvRecordReader(reader, manifestPath);
        if (!await records.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new SourceException($"Manifest '{manifestPath}' is empty: expected a header with '{ManifestColumns.Path}' and '{ManifestColumns.Label}' columns.");
        }

        var header = records.Fields.ToArray();
        var pathColumn = FindColumn(manifestPath, header, ManifestColumns.Path);
        var labelColumn = FindColumn(manifestPath, header, ManifestColumns.Label);
        while (await records.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var fields = records.Fields;
            if (fields.Count != header.Length)
            {
                throw new SourceException(
                    $"Manifest '{manifestPath}' line {records.LineNumber}: {fields.Count} fields where the header has {header.Length} columns.");
            }

            yield return new ManifestRow(
                ValidPath(manifestPath, records.LineNumber, fields[pathColumn]),
                NonEmpty(manifestPath, records.LineNumber, fields[labelColumn], ManifestColumns.Label),
                records.LineNumber);
        }
    }

    private static int FindColumn(string manifestPath, string[] header, string column)
    {
        var index = Array.FindIndex(header, h => ManifestColumns.Matches(h, column));
        if (index < 0)
        {
            throw new SourceException(
                $"Manifest '{manifestPath}' line 1: no '{column}' column in the header ({string.Join(", ", header)}).");
        }

        return index;
    }

    private static string ValidPath(string manifestPath, int line, string value) =>
        ManifestColumns.PathProblem(NonEmpty(manifestPath, line, value, ManifestColumns.Path)) is { } problem
            ? throw new SourceException($"Manifest '{manifestPath}' line {line}: column '{ManifestColumns.Path}' {problem}.")
            : value;

    private static string NonEmpty(string manifestPath, int line, string value, string column) =>
        value.Length > 0
            ? value
            : throw new SourceException($"Manifest '{manifestPath}' line {line}: column '{column}' is empty.");
}
