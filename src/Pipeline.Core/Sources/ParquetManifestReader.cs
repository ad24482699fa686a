using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Meta.Proto;
using Parquet.Schema;

namespace Pipeline.Sources;

/// <summary>
/// Streams the rows of a Parquet manifest one row group at a time, so memory holds at most one row
/// group's two string columns. Rows are numbered from 1 across row groups in error messages.
/// </summary>
internal static class ParquetManifestReader
{
    public static async IAsyncEnumerable<ManifestRow> ReadRowsAsync(
        string manifestPath,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(manifestPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ParquetException or ThriftProtocolException)
        {
            // A corrupt footer surfaces as ThriftProtocolException, which is not a ParquetException.
            throw new SourceException($"Manifest '{manifestPath}' is not a readable Parquet file: {e.Message}", e);
        }

        await using var _ = reader.ConfigureAwait(false);
        var columns = reader.Schema.Fields.OfType<DataField>().ToArray();
        var pathField = FindColumn(manifestPath, columns, ManifestColumns.Path);
        var labelField = FindColumn(manifestPath, columns, ManifestColumns.Label);
        long row = 0;
        for (var group = 0; group < reader.RowGroupCount; group++)
        {
            using var groupReader = reader.OpenRowGroupReader(group);
            var count = checked((int)groupReader.RowCount);
            var paths = new string?[count];
            var labels = new string?[count];
            await groupReader.ReadAsync(pathField, paths.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            await groupReader.ReadAsync(labelField, labels.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < count; i++)
            {
                row++;
                yield return new ManifestRow(
                    NonEmpty(manifestPath, row, paths[i], ManifestColumns.Path),
                    NonEmpty(manifestPath, row, labels[i], ManifestColumns.Label),
                    row);
            }
        }
    }

    private static DataField FindColumn(string manifestPath, DataField[] columns, string column)
    {
        var field = Array.Find(columns, f => ManifestColumns.Matches(f.Name, column))
            ?? throw new SourceException(
                $"Manifest '{manifestPath}' has no '{column}' column (columns: {string.Join(", ", columns.Select(c => c.Name))}).");
        // Parquet.Net 6 reports UTF-8 string columns read from a file as ReadOnlyMemory<char>.
        if (field.ClrType != typeof(string) && field.ClrType != typeof(ReadOnlyMemory<char>))
        {
            throw new SourceException(
                $"Manifest '{manifestPath}' column '{column}' holds {field.ClrType.Name} values where strings are expected.");
        }

        return field;
    }

    private static string NonEmpty(string manifestPath, long row, string? value, string column) =>
        string.IsNullOrEmpty(value)
            ? throw new SourceException($"Manifest '{manifestPath}' row {row}: column '{column}' is empty.")
            : value;
}
