namespace Pipeline.Sources;

/// <summary>
/// Images laid out as <c>root/&lt;label&gt;/**/&lt;file&gt;</c>, the layout of Spark's and Keras'
/// folder loaders. The label is the first-level folder; files directly in the root are ignored,
/// as are hidden entries (a name starting with '.') and files whose extension is not an image
/// format the decoder reads.
/// </summary>
/// <remarks>
/// Order: labels ordinally, then the path relative to the label folder ordinally. The walk reads
/// one directory at a time and sorts only its entries, with a folder keyed as <c>name/</c>, which
/// gives exactly the global ordinal order of '/'-separated relative paths without ever listing
/// the whole tree. Symbolic links to directories below a label folder are not descended, so a
/// link cycle cannot make the walk endless.
/// </remarks>
internal sealed class FolderImageSource : ILabelledImageSource, IShardKeyedSource
{
    private static readonly EnumerationOptions ListOneLevel = new()
    {
        // Hidden means "name starts with '.'" here on every OS, checked by name below; the
        // attribute filter is off so that Windows' hidden attribute does not differ from Unix.
        AttributesToSkip = 0,
        IgnoreInaccessible = false,
        RecurseSubdirectories = false,
        ReturnSpecialDirectories = false,
    };

    private readonly DirectoryInfo[] _labelFolders;
    private readonly string _root;

    public FolderImageSource(string root)
    {
        var folder = new DirectoryInfo(Path.GetFullPath(root));
        if (!folder.Exists)
        {
            throw new SourceException($"Image folder '{folder.FullName}' does not exist.");
        }

        // A label folder without a single image is not a class: a class with no examples would
        // still take a logit in the classifier. Finding the first image stops the walk early.
        _labelFolders = VisibleEntries(folder)
            .OfType<DirectoryInfo>()
            .OrderBy(d => d.Name, StringComparer.Ordinal)
            .Where(d => EnumerateImages(d, CancellationToken.None).Any())
            .ToArray();
        if (_labelFolders.Length == 0)
        {
            throw new SourceException(
                $"Image folder '{folder.FullName}' has no images in label subfolders (expected {folder.FullName}/<label>/<image>).");
        }

        Classes = ClassList.FromLabels(_labelFolders.Select(d => d.Name));
        Description = $"folder {folder.FullName}";
        _root = folder.FullName;
    }

    public string Description { get; }

    public ClassList Classes { get; }

    /// <summary><c>label/…/file</c>: the same under any mount point of the folder.</summary>
    public string ShardKeyOf(LabelledImage image) => ShardedImageSource.RelativeKey(_root, image.Path);

    public ShardKeyScheme KeyScheme => new(ShardKeyKind.RelativePath, _root);

    public IAsyncEnumerable<LabelledImage> ReadAsync(CancellationToken cancellationToken = default) =>
        Enumerate(cancellationToken).ToAsyncEnumerable();

    private IEnumerable<LabelledImage> Enumerate(CancellationToken cancellationToken)
    {
        long ordinal = 0;
        foreach (var labelFolder in _labelFolders)
        {
            var label = labelFolder.Name;
            var labelIndex = Classes.IndexOf(label);
            foreach (var file in EnumerateImages(labelFolder, cancellationToken))
            {
                var (bytes, modified) = FileStamp.Of(file);
                yield return new LabelledImage(ordinal++, file.FullName, label, labelIndex)
                {
                    FileBytes = bytes,
                    FileModifiedUnixMs = modified,
                };
            }
        }
    }

    /// <summary>Depth-first, in relative-path ordinal order, one sorted directory listing per level.</summary>
    private static IEnumerable<FileInfo> EnumerateImages(DirectoryInfo labelFolder, CancellationToken cancellationToken)
    {
        var levels = new Stack<IEnumerator<FileSystemInfo>>();
        levels.Push(SortedForWalk(labelFolder).GetEnumerator());
        while (levels.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var level = levels.Peek();
            if (!level.MoveNext())
            {
                levels.Pop().Dispose();
                continue;
            }

            switch (level.Current)
            {
                case FileInfo file when ImageFileExtensions.IsImage(file.Name):
                    yield return file;
                    break;
                case DirectoryInfo directory when directory.LinkTarget is null:
                    levels.Push(SortedForWalk(directory).GetEnumerator());
                    break;
            }
        }
    }

    private static IEnumerable<FileSystemInfo> SortedForWalk(DirectoryInfo directory) =>
        VisibleEntries(directory).OrderBy(e => e is DirectoryInfo ? e.Name + "/" : e.Name, StringComparer.Ordinal);

    private static FileSystemInfo[] VisibleEntries(DirectoryInfo directory)
    {
        try
        {
            return directory.EnumerateFileSystemInfos("*", ListOneLevel)
                .Where(e => !e.Name.StartsWith('.'))
                .ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SourceException($"Cannot list image folder '{directory.FullName}': {e.Message}", e);
        }
    }
}
