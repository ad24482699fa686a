namespace Pipeline.Sources;

/// <summary>
/// One image of a labelled data set, as a source yields it: where it comes from and its class.
/// </summary>
/// <param name="Ordinal">Position in the source's deterministic order, starting at 0.</param>
/// <param name="Path">
/// The file path, or for sources whose images are not files (IDX) a stable identifier such as
/// <c>/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz#41</c>. It is the key of the feature
/// store's rows.
/// </param>
/// <param name="Label">The class name.</param>
/// <param name="LabelIndex">The label's index in the source's <see cref="ClassList"/>.</param>
public sealed record LabelledImage(long Ordinal, string Path, string Label, int LabelIndex)
{
    /// <summary>
    /// Pixels already in memory (IDX files store raw pixels, not encoded images); null when the
    /// image is a file at <see cref="Path"/> to be decoded.
    /// </summary>
    public GrayPixels? Pixels { get; init; }

    /// <summary>
    /// Size in bytes of the file the image comes from (for IDX, of the images file); 0 when the
    /// source could not stat it. With <see cref="FileModifiedUnixMs"/> it keys the feature cache,
    /// so sources fill both from the directory entry they already hold rather than a second stat.
    /// </summary>
    public long FileBytes { get; init; }

    /// <summary>Last write time of that file in Unix milliseconds (UTC); 0 when unknown.</summary>
    public long FileModifiedUnixMs { get; init; }

    /// <summary>
    /// When the file arrived in a watched folder, Unix nanoseconds (its ctime: the rename that moved
    /// it in, or its last write); 0 when unknown, and for sources that hold no arrivals. The
    /// landing-to-commit latency starts here, so that it counts the time a file waited in the
    /// folder behind a backlog, and otherwise when the source yields the image.
    /// </summary>
    internal long LandedUnixNs { get; init; }

    /// <summary>
    /// The key a shard is chosen by when the source holds it with the image (a manifest's entry as
    /// written); null when the source derives it from <see cref="Path"/>.
    /// </summary>
    internal string? ShardKey { get; init; }
}
