using System.Runtime.CompilerServices;

namespace Pipeline.Sources;

/// <summary>
/// Images listed in a CSV or Parquet manifest with <c>path</c> and <c>label</c> columns (any
/// order, other columns ignored); relative paths resolve against the manifest's folder. Images
/// stream in manifest order.
/// </summary>
/// <remarks>
/// The class list must be known before the first image, so opening makes one streaming pass that
/// keeps only the distinct labels; that pass also validates every row, so a malformed manifest
/// fails before any image is featurized rather than halfway through a run.
/// </remarks>
internal sealed class ManifestImageSource : ILabelledImageSource
{
    private readonly string _manifestPath;
    private readonly string _baseFolder;
    private readonly bool _isParquet;

    private ManifestImageSource(string manifestPath, bool isParquet, ClassList classes, long count)
    {
        Count = count;
        _manifestPath = manifestPath;
        _baseFolder = Path.GetDirectoryName(manifestPath)!;
        _isParquet = isParquet;
        Classes = classes;
        Description = $"manifest {manifestPath}";
    }

    public string Description { get; }

    public ClassList Classes { get; }

    public long? Count { get; }

    public static async Task<ManifestImageSource> OpenAsync(string manifest, CancellationToken cancellationToken)
    {
        var manifestPath = Path.GetFullPath(manifest);
        if (!File.Exists(manifestPath))
        {
            throw new SourceException($"Manifest '{manifestPath}' does not exist.");
        }

        var isParquet = manifestPath.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);
        var labels = new HashSet<string>(StringComparer.Ordinal);
        long count = 0;
        await foreach (var row in ReadRows(manifestPath, isParquet, cancellationToken).ConfigureAwait(false))
        {
            labels.Add(row.Label);
            count++;
        }

        if (labels.Count == 0)
        {
            throw new SourceException($"Manifest '{manifestPath}' lists no images.");
        }

        return new ManifestImageSource(manifestPath, isParquet, ClassList.FromLabels(labels), count);
    }

    public async IAsyncEnumerable<LabelledImage> ReadAsync(
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long ordinal = 0;
        await foreach (var row in ReadRows(_manifestPath, _isParquet, cancellationToken).ConfigureAwait(false))
        {
            var path = Path.GetFullPath(Path.Combine(_baseFolder, row.Path));
            var (bytes, modified) = FileStamp.Of(new FileInfo(path));
            yield return new LabelledImage(ordinal++, path, row.Label, Classes.IndexOf(row.Label))
            {
                FileBytes = bytes,
                FileModifiedUnixMs = modified,
            };
        }
    }

    private static IAsyncEnumerable<ManifestRow> ReadRows(string manifestPath, bool isParquet, CancellationToken cancellationToken) =>
        isParquet
            ? ParquetManifestReader.ReadRowsAsync(manifestPath, cancellationToken)
            : CsvManifestReader.ReadRowsAsync(manifestPath, cancellationToken);
}
