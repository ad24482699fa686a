using System.Globalization;
using Pipeline.IO;

namespace Pipeline.FeatureStore;

/// <summary>
/// A store's parts as generations: <c>&lt;out&gt;/features</c> is a symbolic link to
/// <c>.gen-N/features</c>, and <c>&lt;out&gt;/predictions</c> (a stream's, when it has them) a link to
/// <c>features/../predictions</c>, which the kernel resolves through the first link to
/// <c>.gen-N/predictions</c>. A compaction builds generation N+1 beside it (hard links of the parts it
/// keeps, the merged parts) and renames a new link over <c>features</c>: one atomic step moves both
/// names, so a reader that resolves <c>features</c> once sees one whole generation, before or after.
/// </summary>
/// <remarks>
/// <para>No set of renames inside one folder replaces many files by one for a reader that lists the
/// folder, hence whole folders swapped by a link. The generation folders are hidden (a leading dot),
/// which Spark, DuckDB globs and pyarrow datasets skip.</para>
/// <para>A store whose <c>features</c> is a plain folder (every batch store, and a stream's before its
/// first start with this layout) is adopted by <see cref="TryAdopt"/>: generation 1 gets hard links
/// of every file, then renameat2(RENAME_EXCHANGE) swaps the folder and the link, so the name never
/// goes missing and lists the same files before and after.</para>
/// <para>A generation a compaction retired stays for a grace period, for readers that listed it and
/// open its files later; one left half-built by a kill (newer than the live one) is deleted by
/// <see cref="Recover"/> at the next start, which also deletes the temporary link.</para>
/// </remarks>
internal static class FeatureStoreGenerations
{
    public const string PredictionsFolder = "predictions";

    private const string FeaturesFolder = "features";
    private const string Prefix = ".gen-";
    private const string FeaturesNext = ".features.next" + FeatureStoreLayout.TemporarySuffix;
    private const string PredictionsNext = ".predictions.next" + FeatureStoreLayout.TemporarySuffix;

    /// <summary>What the <c>predictions</c> link holds: its generation is always the features link's.</summary>
    private static readonly string PredictionsTarget = Path.Combine(FeaturesFolder, "..", PredictionsFolder);

    /// <summary>The live generation's folder (<c>&lt;out&gt;/.gen-N</c>), or null while <c>features</c> is a plain folder or missing.</summary>
    public static string? Live(string root)
    {
        var target = new FileInfo(Path.Combine(root, FeaturesFolder)).LinkTarget;
        return target is null ? null : Path.GetFullPath(Path.GetDirectoryName(Path.Combine(root, target))!);
    }

    /// <summary>
    /// The folder <c>&lt;out&gt;/features</c> names now, resolved once: a reader that lists and opens
    /// parts under it sees one generation however many compactions run meanwhile (until the grace period).
    /// </summary>
    public static string ResolveFeatures(string root)
    {
        var features = Path.Combine(root, FeaturesFolder);
        return Live(root) is { } live ? Path.Combine(live, FeaturesFolder) : features;
    }

    /// <summary>
    /// Deletes what a kill left (the temporary link, an old folder a swap left under its name,
    /// generations newer than the live one: half-built). Only with the store's lock held, before
    /// anything reads the store, since a compaction of this process builds such a generation.
    /// </summary>
    public static void Recover(string root)
    {
        foreach (var name in new[] { FeaturesNext, PredictionsNext })
        {
            DeleteEntry(Path.Combine(root, name));
        }

        var live = Number(Live(root)) ?? 0;
        foreach (var (number, folder) in Generations(root))
        {
            if (number > live)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// Makes the store's <c>features</c> (and <c>predictions</c> when it holds part files, or when
    /// <paramref name="withPredictions"/>) links into a generation, with the same files: readers see
    /// no change. For a store already adopted, only makes <c>predictions</c> a link (adding the folder, or
    /// swapping a plain one for the link).
    /// </summary>
    /// <returns>False where the filesystem cannot exchange a folder and a link (NFS, SMB): the store keeps its plain folder.</returns>
    public static bool TryAdopt(string root, bool withPredictions)
    {
        var features = Path.Combine(root, FeaturesFolder);
        var predictions = Path.Combine(root, PredictionsFolder);
        if (Live(root) is { } live)
        {
            if (Directory.Exists(predictions) && new FileInfo(predictions).LinkTarget is null)
            {
                // A plain folder beside a features link: a kill came between the first adoption's two
                // swaps, or a stream given predict.model after its adoption made it. Its files join the
                // live generation and it is swapped for the link, as the first adoption does, so no
                // predictions part is written outside a generation.
                LinkFiles(predictions, Path.Combine(live, PredictionsFolder), except: null);
                LinkPredictions(root);
            }
            else if (withPredictions && !Path.Exists(predictions))
            {
                Directory.CreateDirectory(Path.Combine(live, PredictionsFolder));
                Directory.CreateSymbolicLink(predictions, PredictionsTarget);
            }

            return true;
        }

        var hasPredictions = withPredictions || FeatureStoreLayout.FindParts(predictions, FeatureStoreLayout.ParquetExtension).Count > 0;
        var number = Generations(root).Select(g => g.Number).DefaultIfEmpty(0).Max() + 1;
        var generation = Path.Combine(root, Name(number));
        LinkFiles(features, Path.Combine(generation, FeaturesFolder), except: null);
        if (hasPredictions)
        {
            LinkFiles(predictions, Path.Combine(generation, PredictionsFolder), except: null);
        }

        DirectorySync.Flush(generation);
        var next = Path.Combine(root, FeaturesNext);
        Directory.CreateSymbolicLink(next, Path.Combine(Name(number), FeaturesFolder));
        if (!AtomicRename.TryExchange(next, features))
        {
            File.Delete(next);
            Directory.Delete(generation, recursive: true);
            return false;
        }

        // The plain folder, now under the temporary name, is reachable by no path a reader resolves.
        Directory.Delete(next, recursive: true);
        if (hasPredictions)
        {
            LinkPredictions(root);
        }

        DirectorySync.Flush(root);
        return true;
    }

    /// <summary>
    /// Makes <c>predictions</c> the link into the live generation, swapping it for the plain folder
    /// there is one: <c>features</c> already names the generation, whose predictions hold hard links
    /// of the folder's files, so the name lists the same files before and after.
    /// </summary>
    private static void LinkPredictions(string root)
    {
        var predictions = Path.Combine(root, PredictionsFolder);
        var predictionsNext = Path.Combine(root, PredictionsNext);
        Directory.CreateSymbolicLink(predictionsNext, PredictionsTarget);
        if (Directory.Exists(predictions))
        {
            if (!AtomicRename.TryExchange(predictionsNext, predictions))
            {
                throw new IOException($"'{predictions}' cannot be swapped for a link although '{Path.Combine(root, FeaturesFolder)}' could.");
            }

            Directory.Delete(predictionsNext, recursive: true);
        }
        else
        {
            AtomicRename.Replace(predictionsNext, predictions);
        }

        DirectorySync.Flush(root);
    }

    /// <summary>Creates the next generation's empty folders (<c>features/</c>, and <c>predictions/</c> when the live one has it).</summary>
    public static string Begin(string root)
    {
        var live = Live(root) ?? throw new InvalidOperationException($"The feature store '{root}' has no generations; adopt it first.");
        var generation = Path.Combine(root, Name(Number(live)!.Value + 1));
        Directory.CreateDirectory(Path.Combine(generation, FeaturesFolder));
        if (Directory.Exists(Path.Combine(live, PredictionsFolder)))
        {
            Directory.CreateDirectory(Path.Combine(generation, PredictionsFolder));
        }

        return generation;
    }

    /// <summary>
    /// Links into <paramref name="generation"/> every file of the live one that <paramref name="replaced"/>
    /// does not name (file names, in features/ and predictions/ alike), so it holds every committed part.
    /// The caller keeps parts from being committed meanwhile.
    /// </summary>
    public static void LinkKept(string root, string generation, IReadOnlySet<string> replaced)
    {
        var live = Live(root)!;
        LinkFiles(Path.Combine(live, FeaturesFolder), Path.Combine(generation, FeaturesFolder), replaced);
        if (Directory.Exists(Path.Combine(generation, PredictionsFolder)))
        {
            LinkFiles(Path.Combine(live, PredictionsFolder), Path.Combine(generation, PredictionsFolder), replaced);
        }
    }

    /// <summary>
    /// Makes <paramref name="generation"/> the live one: a link made under a temporary name is renamed
    /// over <c>features</c>, the commit point. The old generation is retired with its folder's time set to
    /// now (just before the swap), from which its grace period runs.
    /// </summary>
    public static void Publish(string root, string generation)
    {
        var old = Live(root)!;
        foreach (var folder in Directory.EnumerateDirectories(generation))
        {
            DirectorySync.Flush(folder);
        }

        DirectorySync.Flush(generation);
        var next = Path.Combine(root, FeaturesNext);
        DeleteEntry(next);
        Directory.CreateSymbolicLink(next, Path.Combine(Path.GetFileName(generation), FeaturesFolder));

        // Stamped before the swap: a kill between the two would leave the retired generation with its
        // build time, often older than the grace, and the next start would delete it under its readers.
        Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow);
        AtomicRename.Replace(next, Path.Combine(root, FeaturesFolder));
        DirectorySync.Flush(root);
    }

    /// <summary>Deletes the retired generations older than <paramref name="grace"/>; returns how many.</summary>
    public static int DeleteRetired(string root, TimeSpan grace)
    {
        if (Number(Live(root)) is not { } live)
        {
            return 0;
        }

        var deleted = 0;
        foreach (var (number, folder) in Generations(root))
        {
            if (number < live && DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) >= grace)
            {
                Directory.Delete(folder, recursive: true);
                deleted++;
            }
        }

        return deleted;
    }

    private static void LinkFiles(string from, string to, IReadOnlySet<string>? except)
    {
        Directory.CreateDirectory(to);
        if (!Directory.Exists(from))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(from))
        {
            var name = Path.GetFileName(file);

            // Hidden names are files being written (or a lock, a probe): never part of what readers see.
            if (name.StartsWith('.') || except?.Contains(name) == true || File.Exists(Path.Combine(to, name)))
            {
                continue;
            }

            HardLink.Create(file, Path.Combine(to, name));
        }

        DirectorySync.Flush(to);
    }

    private static IEnumerable<(int Number, string Folder)> Generations(string root)
    {
        foreach (var folder in Directory.EnumerateDirectories(root, Prefix + "*"))
        {
            if (Number(folder) is { } number)
            {
                yield return (number, folder);
            }
        }
    }

    private static string Name(int number) => Prefix + number.ToString(CultureInfo.InvariantCulture);

    private static int? Number(string? folder) =>
        folder is not null && Path.GetFileName(folder) is var name && name.StartsWith(Prefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? number
            : null;

    /// <summary>Deletes a link (not what it names) or a folder left under a temporary name.</summary>
    private static void DeleteEntry(string path)
    {
        var entry = new FileInfo(path);
        if (entry.LinkTarget is not null)
        {
            entry.Delete();
        }
        else if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }
}
