using System.Text.Json;
using System.Text.Json.Serialization;

namespace MlNetBaseline;

/// <summary>
/// <c>compare-features</c>: compares our feature store with ML.NET's <c>featurize</c> CSV for the
/// same images, row by row, and reports how far apart the two featurizers are as one JSON object.
/// </summary>
/// <remarks>
/// Rows are matched by path suffix: the CSV names each image relative to the folder ML.NET read
/// (<c>3/img_17.png</c>), the store by the path our source resolved (absolute, or relative to the
/// working directory), so a store row matches the CSV row whose path is the longest
/// <c>/</c>-bounded suffix of its own. ML.NET is the reference: the relative difference of an image
/// is its largest absolute difference divided by the largest |feature| ML.NET gave that image, so it
/// reads as "a fraction of the image's feature scale" whatever the activations' magnitude.
/// </remarks>
internal static class FeatureComparison
{
    private const int UnmatchedExamples = 5;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static async Task<int> RunAsync(CommandLineArguments args, CancellationToken ct)
    {
        var storeDir = args.GetString("store");
        var csvPath = args.GetString("csv");
        args.ThrowIfUnused();

        var store = await FeatureStoreReader.ReadAsync(storeDir, withPaths: true, ct);
        var csv = await FeatureCsvReader.ReadAsync(csvPath, ct);
        if (store.Dimension != csv.Dimension)
        {
            throw new InvalidDataException($"Feature store '{storeDir}' has {store.Dimension} features per row, '{csvPath}' has {csv.Dimension}.");
        }

        var csvIndex = new Dictionary<string, int>(csv.Rows, StringComparer.Ordinal);
        for (var i = 0; i < csv.Rows; i++)
        {
            if (!csvIndex.TryAdd(csv.Files[i], i))
            {
                throw new InvalidDataException($"Feature CSV '{csvPath}' lists '{csv.Files[i]}' twice.");
            }
        }

        var csvMatched = new bool[csv.Rows];
        var unmatchedStore = new List<string>();
        var duplicateStoreRows = 0;
        long values = 0;
        double sumAbs = 0, maxAbs = 0, maxRelative = 0;
        var nonFinite = 0;
        Worst? worst = null;
        for (var r = 0; r < store.Rows; r++)
        {
            var storePath = store.Paths![r];
            var c = FindBySuffix(storePath, csvIndex);
            if (c < 0)
            {
                unmatchedStore.Add(storePath);
                continue;
            }
            if (csvMatched[c])
            {
                duplicateStoreRows++;
                continue;
            }
            csvMatched[c] = true;

            var ours = store.Row(r);
            var theirs = csv.Row(c);
            double imageMaxAbs = 0, imageScale = 0;
            var imageWorstIndex = 0;
            for (var j = 0; j < ours.Length; j++)
            {
                var diff = Math.Abs((double)ours[j] - theirs[j]);
                if (!double.IsFinite(diff))
                {
                    nonFinite++;
                    continue;
                }
                sumAbs += diff;
                values++;
                imageScale = Math.Max(imageScale, Math.Abs(theirs[j]));
                if (diff > imageMaxAbs)
                {
                    imageMaxAbs = diff;
                    imageWorstIndex = j;
                }
            }
            maxAbs = Math.Max(maxAbs, imageMaxAbs);
            // An all-zero reference row has no scale: any difference there counts as 100%.
            var relative = imageScale > 0 ? imageMaxAbs / imageScale : imageMaxAbs > 0 ? 1 : 0;
            if (worst is null || relative > worst.RelativeDiff)
            {
                worst = new Worst(csv.Files[c], storePath, imageMaxAbs, relative, imageWorstIndex,
                    ours[imageWorstIndex], theirs[imageWorstIndex], imageScale);
            }
            maxRelative = Math.Max(maxRelative, relative);
        }

        var unmatchedCsv = Enumerable.Range(0, csv.Rows).Where(i => !csvMatched[i]).Select(i => csv.Files[i]).ToList();
        var matched = csvMatched.Count(m => m);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            storeRows = store.Rows,
            csvRows = csv.Rows,
            dimension = store.Dimension,
            matched,
            unmatchedStoreRows = unmatchedStore.Count,
            unmatchedCsvRows = unmatchedCsv.Count,
            duplicateStoreRows,
            unmatchedStoreExamples = unmatchedStore.Take(UnmatchedExamples),
            unmatchedCsvExamples = unmatchedCsv.Take(UnmatchedExamples),
            nonFiniteValues = nonFinite,
            maxAbsDiff = maxAbs,
            meanAbsDiff = values == 0 ? 0 : sumAbs / values,
            maxRelativeDiff = maxRelative,
            worst,
        }, Json));
        return matched > 0 ? 0 : 1;
    }

    /// <summary>The CSV row whose path is the longest '/'-bounded suffix of <paramref name="storePath"/>, or -1.</summary>
    private static int FindBySuffix(string storePath, Dictionary<string, int> csvIndex)
    {
        var normalised = storePath.Replace('\\', '/');
        var lookup = csvIndex.GetAlternateLookup<ReadOnlySpan<char>>();
        var start = 0;
        while (true)
        {
            if (lookup.TryGetValue(normalised.AsSpan(start), out var index))
            {
                return index;
            }

            var slash = normalised.IndexOf('/', start);
            if (slash < 0)
            {
                return -1;
            }

            start = slash + 1;
        }
    }

    /// <summary>The image whose largest difference is the largest fraction of its ML.NET feature scale.</summary>
    private sealed record Worst(
        string File, string StorePath, double MaxAbsDiff, double RelativeDiff, int FeatureIndex,
        float Ours, float MlNet, double MlNetMaxAbsFeature);
}
