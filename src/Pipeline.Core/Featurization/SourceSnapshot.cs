using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Pipeline.FeatureStore;
using Pipeline.Sources;

namespace Pipeline.Featurization;

/// <summary>
/// The images a source holds now, collected while it streams through a run: each path with its
/// file stamp and label. Once the whole source has been seen, a stored row is current only if its
/// path is here with the same stamp; any other row belongs to an image that is gone or changed,
/// and is stale. Held only while a store has earlier rows, and then it is the same order of
/// memory as the <see cref="FeaturizationCache"/> of those rows.
/// </summary>
/// <remarks>Not thread-safe: the graph's single producer adds every image.</remarks>
internal sealed class SourceSnapshot
{
    private readonly Dictionary<string, Entry> _images = new(StringComparer.Ordinal);

    public void Add(LabelledImage image) =>
        _images[image.Path] = new Entry(image.FileBytes, image.FileModifiedUnixMs, image.LabelIndex);

    /// <summary>
    /// The class index <paramref name="row"/> must carry (its image's current label), or -1 when it
    /// is stale: its image is gone, has another file stamp, or already has a row (a store written
    /// before duplicates were skipped may hold one image twice). Call once per stored row.
    /// </summary>
    public int LabelIndexOf(FeatureRecord row)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_images, row.Path);
        if (Unsafe.IsNullRef(ref entry) || entry.Bytes != row.FileBytes || entry.Modified != row.FileModifiedUnixMs || entry.Stored)
        {
            return -1;
        }

        entry.Stored = true;
        return entry.LabelIndex;
    }

    private struct Entry(long bytes, long modified, int labelIndex)
    {
        public readonly long Bytes = bytes;
        public readonly long Modified = modified;
        public readonly int LabelIndex = labelIndex;
        public bool Stored;
    }
}
