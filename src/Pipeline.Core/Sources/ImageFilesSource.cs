namespace Pipeline.Sources;

/// <summary>
/// Unlabelled image files, for prediction: each yields the placeholder label
/// <see cref="UnknownLabel"/>, the single class of the source. Files are taken in the order given;
/// a missing or unreadable file becomes the decoder's reject, not an error here.
/// </summary>
internal sealed class ImageFilesSource : ILabelledImageSource, IShardKeyedSource
{
    /// <summary>The label of every image: the feature store needs one, the prediction output writes null instead.</summary>
    public const string UnknownLabel = "?";

    private readonly string[] _files;

    /// <summary>Each file's shard key: its name in the folder, or the argument as given.</summary>
    private readonly string[] _keys;

    public ImageFilesSource(IEnumerable<string> files, string description)
        : this(files, description, root: null)
    {
    }

    private ImageFilesSource(IEnumerable<string> files, string description, string? root)
    {
        ArgumentNullException.ThrowIfNull(files);
        var given = files.ToArray();
        _files = given.Select(Path.GetFullPath).ToArray();
        KeyScheme = root is null ? null : new ShardKeyScheme(ShardKeyKind.RelativePath, root);
        _keys = root is null
            ? given.Select(ShardedImageSource.EntryKey).ToArray()
            : _files.Select(f => ShardedImageSource.RelativeKey(root, f)).ToArray();
        if (_files.Length == 0)
        {
            throw new SourceException($"No image files in {description}.");
        }

        Description = description;
    }

    public string Description { get; }

    public ClassList Classes { get; } = ClassList.FromLabels([UnknownLabel]);

    /// <summary>The files were listed up front, so the progress total needs no second pass.</summary>
    public long? Count => _files.Length;

    /// <summary>The image files directly in <paramref name="folder"/> (not below it), in ordinal name order; hidden files skipped.</summary>
    public static ImageFilesSource FromFolder(string folder)
    {
        var root = Path.GetFullPath(folder);
        var files = Directory.EnumerateFiles(root).Where(IsVisibleImage).Order(StringComparer.Ordinal);
        return new ImageFilesSource(files, $"image files in {root}", root);
    }

    /// <summary>A folder's files by name; files given one by one as given (<see cref="ShardedImageSource.EntryKey"/>), so the working folder does not matter.</summary>
    public string ShardKeyOf(LabelledImage image) => _keys[image.Ordinal];

    /// <summary>A folder's files; null for files given one by one, keyed by the text of each argument, which no store keeps.</summary>
    public ShardKeyScheme? KeyScheme { get; }

    /// <summary>Whether <paramref name="folder"/> holds image files at its top level.</summary>
    public static bool HasImagesAtTopLevel(string folder) => Directory.EnumerateFiles(folder).Any(IsVisibleImage);

    private static bool IsVisibleImage(string file) => ImageFileExtensions.IsImage(file) && !Path.GetFileName(file).StartsWith('.');

    public IAsyncEnumerable<LabelledImage> ReadAsync(CancellationToken cancellationToken = default) =>
        Enumerate(cancellationToken).ToAsyncEnumerable();

    private IEnumerable<LabelledImage> Enumerate(CancellationToken cancellationToken)
    {
        for (var i = 0; i < _files.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (bytes, modified) = FileStamp.Of(new FileInfo(_files[i]));
            yield return new LabelledImage(i, _files[i], UnknownLabel, 0) { FileBytes = bytes, FileModifiedUnixMs = modified };
        }
    }
}
