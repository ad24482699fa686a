using System.Globalization;
using Pipeline.Sources;

namespace Pipeline.FeatureStore;

/// <summary>
/// File names of a store at <c>&lt;out&gt;</c>: <c>features/part-00000.parquet</c> (and
/// <c>.arrow</c>), <c>features/_SUCCESS</c>, <c>rejects.parquet</c>. Files being written carry a
/// leading dot and a <c>.tmp</c> suffix, which Spark, DuckDB globs and pyarrow datasets all skip.
/// A sharded store (<see cref="ShardedStore"/>) names each shard's files after it:
/// <c>features/part-00000-shard-2-of-4.parquet</c>, <c>rejects-shard-2-of-4.parquet</c>, its
/// commit marker <c>_shards/shard-2-of-4.committed</c>, and writes attempts under <c>_temporary/</c>,
/// which readers skip as Spark's own <c>_temporary</c>.
/// </summary>
internal static class FeatureStoreLayout
{
    public const string SuccessMarker = "_SUCCESS";
    public const string RejectsFile = "rejects.parquet";
    public const string ParquetExtension = ".parquet";
    public const string ArrowExtension = ".arrow";
    public const string TemporarySuffix = ".tmp";

    /// <summary>Held by the one process writing the store (see <see cref="FeatureStoreWriter.Lock"/>).</summary>
    public const string LockFile = ".store.lock";

    /// <summary>Where a sharded store's attempts write until one of them commits the shard.</summary>
    public const string AttemptsFolder = "_temporary";

    /// <summary>Where a sharded store's shards put their commit markers.</summary>
    public const string ShardMarkersFolder = "_shards";

    public const string ShardMarkerExtension = ".committed";

    private const string FeaturesFolder = "features";
    private const string PartPrefix = "part-";
    private const string ShardInfix = "-shard-";

    public static string FeaturesDirectory(string outputDirectory) => Path.Combine(outputDirectory, FeaturesFolder);

    public static string PartFileName(int number, string extension) =>
        PartPrefix + number.ToString("D5", CultureInfo.InvariantCulture) + extension;

    /// <summary>A sharded store's part: <c>part-00000-shard-2-of-4.parquet</c>.</summary>
    public static string PartFileName(int number, Shard shard, string extension) =>
        PartPrefix + number.ToString("D5", CultureInfo.InvariantCulture) + "-" + shard.Name + extension;

    /// <summary>A sharded store's rejects of one shard: <c>rejects-shard-2-of-4.parquet</c>.</summary>
    public static string RejectsFileName(Shard shard) => Path.GetFileNameWithoutExtension(RejectsFile) + "-" + shard.Name + ParquetExtension;

    /// <summary>The shard a part's name carries (<c>part-00000-shard-2-of-4.parquet</c>); null for a part of an unsharded store.</summary>
    public static Shard? ShardOf(string partPath)
    {
        var name = Path.GetFileNameWithoutExtension(partPath);
        var infix = name.IndexOf(ShardInfix, StringComparison.Ordinal);
        return infix < 0 ? null : ParseShardName(name[(infix + 1)..]);
    }

    /// <summary><c>shard-2-of-4</c> back to its shard; null for any other text.</summary>
    public static Shard? ParseShardName(string name)
    {
        const string prefix = "shard-";
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var of = name.IndexOf("-of-", prefix.Length, StringComparison.Ordinal);
        return of > 0
            && int.TryParse(name.AsSpan(prefix.Length, of - prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(name.AsSpan(of + 4), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count is >= 1 and <= Shard.MaxCount && index < count
            ? new Shard(index, count)
            : null;
    }

    /// <summary>The hidden name a file is written under until it is complete.</summary>
    public static string TemporaryPath(string finalPath) =>
        Path.Combine(Path.GetDirectoryName(finalPath)!, "." + Path.GetFileName(finalPath) + TemporarySuffix);

    /// <summary>Complete Parquet parts of a features folder, in part-number order.</summary>
    public static IReadOnlyList<string> FindParquetParts(string featuresDirectory) =>
        FindParts(featuresDirectory, ParquetExtension).Select(p => p.Path).ToArray();

    /// <summary>
    /// Complete parts (Parquet or Arrow) with their numbers, in number order; a sharded store's parts
    /// too (<c>part-00003-shard-2-of-4.parquet</c> is number 3), each shard numbering its own from 0,
    /// so one number may appear once per shard (<see cref="ShardOf"/> tells them apart).
    /// </summary>
    public static IReadOnlyList<(int Number, string Path)> FindParts(string featuresDirectory, params string[] extensions)
    {
        if (!Directory.Exists(featuresDirectory))
        {
            return [];
        }

        var parts = new List<(int Number, string Path)>();
        foreach (var path in Directory.EnumerateFiles(featuresDirectory, PartPrefix + "*"))
        {
            var name = Path.GetFileName(path);
            var extension = Path.GetExtension(name);
            if (!extensions.Contains(extension, StringComparer.Ordinal))
            {
                continue;
            }

            var digits = name.AsSpan(PartPrefix.Length, name.Length - PartPrefix.Length - extension.Length);
            var infix = digits.IndexOf(ShardInfix, StringComparison.Ordinal);
            if (infix >= 0)
            {
                if (ParseShardName(digits[(infix + 1)..].ToString()) is null)
                {
                    continue;
                }

                digits = digits[..infix];
            }

            if (int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                parts.Add((number, path));
            }
        }

        // Numeric, not ordinal, order: part-100000 follows part-99999 although it sorts before it.
        parts.Sort((a, b) => a.Number != b.Number ? a.Number.CompareTo(b.Number) : string.CompareOrdinal(a.Path, b.Path));
        return parts;
    }
}
