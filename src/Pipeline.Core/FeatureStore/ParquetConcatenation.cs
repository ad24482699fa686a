using Parquet;
using Parquet.Schema;
using Pipeline.IO;

namespace Pipeline.FeatureStore;

/// <summary>
/// Concatenates Parquet files of one flat schema (a stream's predictions parts) into one, row group
/// by row group, keeping the first file's key-value metadata: the companion of a merged feature part,
/// written without knowing its columns.
/// </summary>
internal static class ParquetConcatenation
{
    /// <summary>Writes <paramref name="target"/> atomically with every row of <paramref name="sources"/>, in order.</summary>
    /// <exception cref="InvalidDataException">A source cannot be read (the message names it), its schema differs from the first's, or it has a column this copy does not handle (a list, a type other than string, double, float, int, long).</exception>
    public static Task WriteAsync(IReadOnlyList<string> sources, string target, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(target, async (stream, ct) =>
        {
            ParquetWriter? writer = null;
            ParquetSchema? schema = null;
            try
            {
                foreach (var source in sources)
                {
                    ParquetReader reader;
                    try
                    {
                        reader = await ParquetReader.CreateAsync(source, cancellationToken: ct).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is not (OperationCanceledException or FileNotFoundException))
                    {
                        // Parquet.Net's own message ("not a Parquet file", a bad footer) names no file.
                        throw new InvalidDataException($"'{source}' cannot be read as Parquet ({e.Message}), so it cannot be merged.", e);
                    }

                    await using var _ = reader.ConfigureAwait(false);
                    if (schema is null)
                    {
                        schema = reader.Schema;
                        writer = await ParquetWriter.CreateAsync(schema, stream, new ParquetOptions(), append: false, ct).ConfigureAwait(false);
                        writer.CustomMetadata = new Dictionary<string, string>(reader.CustomMetadata, StringComparer.Ordinal);
                    }
                    else if (!reader.Schema.Equals(schema))
                    {
                        throw new InvalidDataException($"'{source}' has another schema than '{sources[0]}' ({reader.Schema.GetNotEqualsMessage(schema, "this", "first")}), so they cannot be merged.");
                    }

                    foreach (var group in reader.RowGroups)
                    {
                        var rows = checked((int)group.RowCount);
                        using var copy = writer!.CreateRowGroup();
                        foreach (var field in schema.DataFields)
                        {
                            try
                            {
                                await CopyColumnAsync(group, copy, field, rows, source, ct).ConfigureAwait(false);
                            }
                            catch (Exception e) when (e is not (OperationCanceledException or InvalidDataException))
                            {
                                throw new InvalidDataException($"Column '{field.Name}' of '{source}' cannot be read ({e.Message}), so it cannot be merged.", e);
                            }
                        }

                        copy.CompleteValidate();
                    }
                }
            }
            finally
            {
                if (writer is not null)
                {
                    await writer.DisposeAsync().ConfigureAwait(false);
                }
            }
        }, cancellationToken);

    private static Task CopyColumnAsync(ParquetRowGroupReader from, ParquetRowGroupWriter to, DataField field, int rows, string source, CancellationToken ct)
    {
        if (field.MaxRepetitionLevel > 0)
        {
            throw Unsupported(field, source);
        }

        return field.ClrType switch
        {
            var t when t == typeof(string) || t == typeof(ReadOnlyMemory<char>) => CopyStringsAsync(from, to, field, rows, ct),
            var t when t == typeof(double) => CopyAsync<double>(from, to, field, rows, ct),
            var t when t == typeof(float) => CopyAsync<float>(from, to, field, rows, ct),
            var t when t == typeof(int) => CopyAsync<int>(from, to, field, rows, ct),
            var t when t == typeof(long) => CopyAsync<long>(from, to, field, rows, ct),
            _ => throw Unsupported(field, source),
        };
    }

    private static async Task CopyStringsAsync(ParquetRowGroupReader from, ParquetRowGroupWriter to, DataField field, int rows, CancellationToken ct)
    {
        var values = new string?[rows];
        await from.ReadAsync(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        await to.WriteAsync(field, values).ConfigureAwait(false);
    }

    private static async Task CopyAsync<T>(ParquetRowGroupReader from, ParquetRowGroupWriter to, DataField field, int rows, CancellationToken ct)
        where T : struct
    {
        if (field.IsNullable)
        {
            var nullable = new T?[rows];
            await from.ReadAsync<T>(field, nullable.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
            await to.WriteAsync<T>(field, nullable.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
            return;
        }

        var values = new T[rows];
        await from.ReadAsync(field, values.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
        await to.WriteAsync(field, (ReadOnlyMemory<T>)values, cancellationToken: ct).ConfigureAwait(false);
    }

    private static InvalidDataException Unsupported(DataField field, string source) =>
        new($"'{source}' has column '{field.Path}' of a kind that parts are not merged with ({field.ClrType.Name}{(field.MaxRepetitionLevel > 0 ? " list" : "")}).");
}
