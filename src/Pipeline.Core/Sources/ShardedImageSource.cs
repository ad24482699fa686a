using System.Runtime.CompilerServices;

namespace Pipeline.Sources;

/// <summary>
/// The images of <paramref name="source"/> that belong to <paramref name="shard"/>, in the source's
/// order. The class list is the whole source's, so every shard's rows carry the same one and the
/// shards' parts can share a store.
/// </summary>
internal sealed class ShardedImageSource(ILabelledImageSource source, Shard shard) : ILabelledImageSource
{
    public Shard Shard { get; } = shard;

    public string Description { get; } = $"{source.Description}, shard {shard}";

    public ClassList Classes => source.Classes;

    /// <summary>Repeats are counted by the whole source, so each shard reports them only as shard 0.</summary>
    public long Duplicates => Shard.Index == 0 ? source.Duplicates : 0;

    public bool IsEndless => source.IsEndless;

    /// <summary>The key an image is sharded by: the source's own (<see cref="IShardKeyedSource"/>), or its path.</summary>
    public static string KeyOf(ILabelledImageSource source, LabelledImage image) =>
        source is IShardKeyedSource keyed ? keyed.ShardKeyOf(image) : image.Path;

    /// <summary>How <paramref name="source"/> keys its images; null for a source keyed by full paths, which no other mount point shares.</summary>
    public static ShardKeyScheme? SchemeOf(ILabelledImageSource source) => (source as IShardKeyedSource)?.KeyScheme;

    /// <summary>Relative to <paramref name="root"/> with '/' separators when under it; the full path otherwise.</summary>
    public static string RelativeKey(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
        return relative == ".." || relative.StartsWith("../", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? path.Replace('\\', '/')
            : relative;
    }

    /// <summary>
    /// A path as a manifest or the command line writes it, as a key that does not depend on where
    /// the files are mounted nor on the working folder: a relative path as written, with '/'
    /// separators and <c>./</c> and <c>a/../</c> collapsed (a leading <c>../</c> stays, being part
    /// of the text every machine reads); an absolute path as its full path, which names the same
    /// text everywhere too.
    /// </summary>
    public static string EntryKey(string entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (Path.IsPathRooted(entry))
        {
            return Path.GetFullPath(entry).Replace('\\', '/');
        }

        var segments = new List<string>();
        foreach (var segment in entry.Replace('\\', '/').Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == ".." && segments.Count > 0 && segments[^1] != "..")
            {
                segments.RemoveAt(segments.Count - 1);
            }
            else
            {
                segments.Add(segment);
            }
        }

        return string.Join('/', segments);
    }

    public async IAsyncEnumerable<LabelledImage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var image in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (Shard.Contains(KeyOf(source, image)))
            {
                yield return image;
            }
        }
    }
}
