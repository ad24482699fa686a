namespace Pipeline.Sources;

/// <summary>
/// A labelled image data set that streams its images lazily, in a deterministic order, so that
/// a data set of any size never has to be held in memory.
/// </summary>
public interface ILabelledImageSource
{
    /// <summary>What the user named (folder, manifest, IDX pair), for messages and metadata.</summary>
    string Description { get; }

    /// <summary>The sorted class list; known before the first image is read.</summary>
    ClassList Classes { get; }

    /// <summary>
    /// How many images the source holds, when opening it already told (IDX headers, a manifest's
    /// label pass); null when knowing would cost a pass of its own. Progress bars show an ETA from it.
    /// </summary>
    long? Count => null;

    /// <summary>
    /// Entries that repeat an earlier entry's image with the same label (a manifest may list a
    /// path twice); the image is yielded once, so these are neither counted nor featurized.
    /// </summary>
    long Duplicates => 0;

    /// <summary>
    /// Whether the source never ends (a watched folder yields arrivals until it is stopped): a
    /// pipeline run over it featurizes as a stream, committing each micro-batch, and trains nothing.
    /// </summary>
    bool IsEndless => false;

    /// <summary>Streams the images in the source's deterministic order.</summary>
    IAsyncEnumerable<LabelledImage> ReadAsync(CancellationToken cancellationToken = default);
}
