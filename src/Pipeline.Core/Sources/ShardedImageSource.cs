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

    /// <summary>Relative to <paramref name="root"/> with '/' separators when under it; the full path otherwise.</summary>
    public static string RelativeKey(string root, string path)
    {
        var relative = Path.GetRelativePath(root, path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? path.Replace('\\', '/')
            : relative.Replace('\\', '/');
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
