using System.Runtime.CompilerServices;

namespace Pipeline.Sources;

/// <summary>
/// Images listed in a CSV or Parquet manifest with <c>path</c> and <c>label</c> columns (any
/// order, other columns ignored); relative paths resolve against the manifest's folder. Images
/// stream in manifest order, each once.
/// </summary>
/// <remarks>
/// The class list must be known before the first image, so opening makes one streaming pass; that
/// pass also validates every row, so a malformed manifest fails before any image is featurized
/// rather than halfway through a run. It also keeps each resolved path with its first label and
/// line: a path listed again with the same label is a duplicate, skipped when the images stream
/// (the store holds one row per image), and a path listed with two labels is an error, since no
/// row could say which is right. The manifest is small next to its images, so holding its paths
/// for the length of that pass is cheap.
/// </remarks>
internal sealed class ManifestImageSource : ILabelledImageSource, IShardKeyedSource
{
    private readonly string _manifestPath;
    private readonly string _baseFolder;
    private readonly bool _isParquet;

    /// <summary>Positions (0-based, in manifest order) of the entries that repeat an earlier one.</summary>
    private readonly HashSet<long> _duplicateEntries;

    private ManifestImageSource(string manifestPath, bool isParquet, ClassList classes, long count, HashSet<long> duplicateEntries)
    {
        Count = count;
        _manifestPath = manifestPath;
        _baseFolder = Path.GetDirectoryName(manifestPath)!;
        _isParquet = isParquet;
        _duplicateEntries = duplicateEntries;
        Classes = classes;
        Description = $"manifest {manifestPath}";
    }

    public string Description { get; }

    public ClassList Classes { get; }

    /// <summary>Distinct images: entries less <see cref="Duplicates"/>.</summary>
    public long? Count { get; }

    public long Duplicates => _duplicateEntries.Count;

    /// <summary>The entry as written (<see cref="ShardedImageSource.EntryKey"/>), so every mount point of the manifest shards it alike.</summary>
    public string ShardKeyOf(LabelledImage image) => image.ShardKey ?? image.Path;

    public ShardKeyScheme KeyScheme => new(ShardKeyKind.ManifestEntry, _baseFolder);

    /// <exception cref="SourceException">The manifest is missing or malformed, lists no images, or lists one path with two labels; the message names the file and the lines (rows).</exception>
    public static async Task<ManifestImageSource> OpenAsync(string manifest, CancellationToken cancellationToken)
    {
        var manifestPath = Path.GetFullPath(manifest);
        if (!File.Exists(manifestPath))
        {
            throw new SourceException($"Manifest '{manifestPath}' does not exist.");
        }

        var isParquet = manifestPath.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);
        var baseFolder = Path.GetDirectoryName(manifestPath)!;
        var labels = new HashSet<string>(StringComparer.Ordinal);
        var firstEntries = new Dictionary<string, ManifestRow>(StringComparer.Ordinal);
        var duplicates = new HashSet<long>();
        long entry = 0;
        await foreach (var row in ReadRows(manifestPath, isParquet, cancellationToken).ConfigureAwait(false))
        {
            // One label string per class, not per row, while the pass holds every path.
            if (!labels.TryGetValue(row.Label, out var label))
            {
                label = row.Label;
                labels.Add(label);
            }

            var path = Resolve(baseFolder, row.Path);
            if (!firstEntries.TryAdd(path, row with { Label = label }))
            {
                var first = firstEntries[path];
                if (!string.Equals(first.Label, label, StringComparison.Ordinal))
                {
                    var unit = isParquet ? "row" : "line";
                    throw new SourceException(
                        $"Manifest '{manifestPath}' lists '{path}' with label '{first.Label}' on {unit} {first.Line} and with label '{row.Label}' on {unit} {row.Line}; an image can have one label only.");
                }

                duplicates.Add(entry);
            }

            entry++;
        }

        if (labels.Count == 0)
        {
            throw new SourceException($"Manifest '{manifestPath}' lists no images.");
        }

        return new ManifestImageSource(manifestPath, isParquet, ClassList.FromLabels(labels), firstEntries.Count, duplicates);
    }

    public async IAsyncEnumerable<LabelledImage> ReadAsync(
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long ordinal = 0;
        long entry = 0;
        await foreach (var row in ReadRows(_manifestPath, _isParquet, cancellationToken).ConfigureAwait(false))
        {
            if (_duplicateEntries.Contains(entry++))
            {
                continue;
            }

            var path = Resolve(_baseFolder, row.Path);
            var (bytes, modified) = FileStamp.Of(new FileInfo(path));
            yield return new LabelledImage(ordinal++, path, row.Label, Classes.IndexOf(row.Label))
            {
                FileBytes = bytes,
                FileModifiedUnixMs = modified,
                ShardKey = ShardedImageSource.EntryKey(row.Path),
            };
        }
    }

    /// <summary>The full path an entry names: the image's identity, for the store's rows and for finding duplicates.</summary>
    private static string Resolve(string baseFolder, string path) => Path.GetFullPath(Path.Combine(baseFolder, path));

    private static IAsyncEnumerable<ManifestRow> ReadRows(string manifestPath, bool isParquet, CancellationToken cancellationToken) =>
        isParquet
            ? ParquetManifestReader.ReadRowsAsync(manifestPath, cancellationToken)
            : CsvManifestReader.ReadRowsAsync(manifestPath, cancellationToken);
}
