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
    /// <summary>
    /// Most rows one row group may declare. The column buffers are sized from the footer's claim
    /// (Parquet.Net reads into caller-made buffers), and a dictionary-encoded column packs many rows
    /// into few bytes, so the file's size cannot bound the claim; this does, at 16× the largest row
    /// group pyarrow and Spark write by default.
    /// </summary>
    private const long MaxRowGroupRows = 1 << 24;

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
            var (paths, labels) = await ReadRowGroupAsync(manifestPath, reader, group, pathField, labelField, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < paths.Length; i++)
            {
                row++;
                yield return new ManifestRow(
                    ValidPath(manifestPath, row, paths[i]),
                    NonEmpty(manifestPath, row, labels[i], ManifestColumns.Label),
                    row);
            }
        }
    }

    /// <remarks>
    /// Parquet.Net reports a corrupt page with whatever its decoder hit (IndexOutOfRange,
    /// ArgumentOutOfRange, NotSupported, Thrift and Parquet exceptions), so everything but
    /// cancellation becomes one error naming the manifest and the row group.
    /// </remarks>
    private static async Task<(string?[] Paths, string?[] Labels)> ReadRowGroupAsync(
        string manifestPath, ParquetReader reader, int group, DataField pathField, DataField labelField, CancellationToken cancellationToken)
    {
        try
        {
            using var groupReader = reader.OpenRowGroupReader(group);
            var count = CheckedRowCount(manifestPath, group, groupReader, pathField, labelField);
            var paths = new string?[count];
            var labels = new string?[count];
            await groupReader.ReadAsync(pathField, paths.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            await groupReader.ReadAsync(labelField, labels.AsMemory(), null, cancellationToken).ConfigureAwait(false);
            return (paths, labels);
        }
        catch (Exception e) when (e is not (SourceException or OperationCanceledException))
        {
            throw new SourceException($"Manifest '{manifestPath}' row group {group + 1} cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// The footer's row count, once it is one that buffers may be sized from: within
    /// <see cref="MaxRowGroupRows"/>, and equal to the value count of both (flat) columns, since the
    /// reader fills only the values a column holds and would leave the rest of a buffer empty.
    /// </summary>
    private static int CheckedRowCount(string manifestPath, int group, ParquetRowGroupReader groupReader, DataField pathField, DataField labelField)
    {
        var rows = groupReader.RowCount;
        if (rows < 0)
        {
            throw new SourceException($"Manifest '{manifestPath}' row group {group + 1} declares a negative row count ({rows}): the file is corrupt.");
        }

        if (rows > MaxRowGroupRows)
        {
            throw new SourceException(
                $"Manifest '{manifestPath}' row group {group + 1} declares {rows} rows; a manifest row group may hold at most {MaxRowGroupRows} (write it in smaller row groups).");
        }

        foreach (var field in new[] { pathField, labelField })
        {
            var values = groupReader.GetMetadata(field)?.MetaData?.NumValues;
            if (values != rows)
            {
                throw new SourceException(
                    $"Manifest '{manifestPath}' row group {group + 1} declares {rows} rows but its '{field.Name}' column holds {values?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} values: the file is corrupt.");
            }
        }

        return (int)rows;
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

    private static string ValidPath(string manifestPath, long row, string? value)
    {
        var path = NonEmpty(manifestPath, row, value, ManifestColumns.Path);
        return ManifestColumns.PathProblem(path) is { } problem
            ? throw new SourceException($"Manifest '{manifestPath}' row {row}: column '{ManifestColumns.Path}' {problem}.")
            : path;
    }

    private static string NonEmpty(string manifestPath, long row, string? value, string column) =>
        string.IsNullOrEmpty(value)
            ? throw new SourceException($"Manifest '{manifestPath}' row {row}: column '{column}' is empty.")
            : value;
}
