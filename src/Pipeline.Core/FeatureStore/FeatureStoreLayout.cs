using System.Globalization;

namespace Pipeline.FeatureStore;

/// <summary>
/// File names of a store at <c>&lt;out&gt;</c>: <c>features/part-00000.parquet</c> (and
/// <c>.arrow</c>), <c>features/_SUCCESS</c>, <c>rejects.parquet</c>. Files being written carry a
/// leading dot and a <c>.tmp</c> suffix, which Spark, DuckDB globs and pyarrow datasets all skip.
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

    private const string FeaturesFolder = "features";
    private const string PartPrefix = "part-";

    public static string FeaturesDirectory(string outputDirectory) => Path.Combine(outputDirectory, FeaturesFolder);

    public static string PartFileName(int number, string extension) =>
        PartPrefix + number.ToString("D5", CultureInfo.InvariantCulture) + extension;

    /// <summary>The hidden name a file is written under until it is complete.</summary>
    public static string TemporaryPath(string finalPath) =>
        Path.Combine(Path.GetDirectoryName(finalPath)!, "." + Path.GetFileName(finalPath) + TemporarySuffix);

    /// <summary>Complete Parquet parts of a features folder, in part-number order.</summary>
    public static IReadOnlyList<string> FindParquetParts(string featuresDirectory) =>
        FindParts(featuresDirectory, ParquetExtension).Select(p => p.Path).ToArray();

    /// <summary>Complete parts (Parquet or Arrow) with their numbers, in number order.</summary>
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
