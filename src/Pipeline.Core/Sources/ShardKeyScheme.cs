namespace Pipeline.Sources;

/// <summary>
/// How a source keys its images for sharding (<see cref="IShardKeyedSource"/>), and the root the
/// keys are relative to as the shard saw it: recorded with each sharded part, so that
/// <c>store verify</c> recomputes the key of every row from its stored path, wherever each shard had
/// the source mounted, and checks with <see cref="Shard.Of"/> that the row is the part's shard's.
/// </summary>
/// <param name="Kind">What the key is.</param>
/// <param name="Root">The source's folder (a manifest's folder), or for an IDX source its images file, in the shard's own paths.</param>
internal sealed record ShardKeyScheme(ShardKeyKind Kind, string Root)
{
    /// <summary>How <see cref="Kind"/> is written in a part's metadata.</summary>
    public string KindName => Kind switch
    {
        ShardKeyKind.RelativePath => "relative-path",
        ShardKeyKind.Index => "index",
        _ => "manifest-entry",
    };

    /// <summary>The scheme a part's metadata names; null for a kind this version does not know.</summary>
    public static ShardKeyScheme? Parse(string kind, string root) => kind switch
    {
        "relative-path" => new(ShardKeyKind.RelativePath, root),
        "index" => new(ShardKeyKind.Index, root),
        "manifest-entry" => new(ShardKeyKind.ManifestEntry, root),
        _ => null,
    };

    /// <summary>
    /// The keys the image stored under <paramref name="path"/> can have had. One, except for a
    /// manifest's entry, whose text the store does not keep: written relative to the manifest's folder
    /// (<see cref="ShardedImageSource.EntryKey"/> of the path relative to <see cref="Root"/>) or absolute
    /// (its full path). An entry that climbs out of its folder and back in (<c>../d/x.png</c> in
    /// <c>d/</c>) had a key that is neither.
    /// </summary>
    public IEnumerable<string> KeysOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        switch (Kind)
        {
            case ShardKeyKind.RelativePath:
                yield return ShardedImageSource.RelativeKey(Root, path);
                break;
            case ShardKeyKind.Index:
                // IdxImageSource stores <images file>#<index> and keys the image by its index.
                yield return path[(path.LastIndexOf('#') + 1)..];
                break;
            default:
                yield return ShardedImageSource.EntryKey(Path.GetRelativePath(Root, path));
                yield return ShardedImageSource.EntryKey(path);
                break;
        }
    }
}

/// <summary>What an image's shard key is (<see cref="ShardKeyScheme"/>).</summary>
internal enum ShardKeyKind
{
    /// <summary>Its path relative to the source's folder, with '/' separators (a folder source).</summary>
    RelativePath,

    /// <summary>Its index in an IDX images file.</summary>
    Index,

    /// <summary>A manifest's entry as written, collapsed (<see cref="ShardedImageSource.EntryKey"/>).</summary>
    ManifestEntry,
}
