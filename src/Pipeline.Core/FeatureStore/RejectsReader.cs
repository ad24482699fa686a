using Parquet;
using Parquet.Meta.Proto;
using Pipeline.Decoding;

namespace Pipeline.FeatureStore;

/// <summary>Reads the <c>rejects.parquet</c> of a store.</summary>
internal static class RejectsReader
{
    /// <summary>The rejects of the store at <paramref name="outputDirectory"/>, in file order; empty when it has no rejects file.</summary>
    /// <exception cref="InvalidDataException">The file is not a rejects file; the message names it.</exception>
    public static async Task<IReadOnlyList<Reject>> ReadAsync(string outputDirectory, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        var file = Path.Combine(Path.GetFullPath(outputDirectory), FeatureStoreLayout.RejectsFile);
        return File.Exists(file) ? await ReadFileAsync(file, ct).ConfigureAwait(false) : [];
    }

    internal static async Task<List<Reject>> ReadFileAsync(string file, CancellationToken ct)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(file, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ParquetException or ThriftProtocolException)
        {
            // A corrupt footer surfaces as ThriftProtocolException, which is not a ParquetException.
            throw new InvalidDataException($"Rejects file '{file}' cannot be read as Parquet ({e.Message}).", e);
        }

        await using (reader)
        {
            if (!reader.Schema.Equals(RejectsSchema.Schema))
            {
                throw new InvalidDataException(
                    $"Rejects file '{file}' does not have the rejects schema ({reader.Schema.GetNotEqualsMessage(RejectsSchema.Schema, "file", "rejects")}).");
            }

            var fields = reader.Schema.DataFields;
            var rejects = new List<Reject>();
            foreach (var group in reader.RowGroups)
            {
                var n = checked((int)group.RowCount);
                var paths = new string?[n];
                var stages = new string?[n];
                var reasons = new string?[n];
                await group.ReadAsync(fields[0], paths.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
                await group.ReadAsync(fields[1], stages.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
                await group.ReadAsync(fields[2], reasons.AsMemory(), cancellationToken: ct).ConfigureAwait(false);
                for (var i = 0; i < n; i++)
                {
                    rejects.Add(new Reject(paths[i]!, stages[i]!, reasons[i]!));
                }
            }

            return rejects;
        }
    }
}
