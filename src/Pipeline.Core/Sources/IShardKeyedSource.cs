namespace Pipeline.Sources;

/// <summary>
/// A source that names each image independently of where the source is mounted, so that every
/// machine of a sharded job assigns it to the same shard (<see cref="Shard"/>). A source without it
/// is sharded by <see cref="LabelledImage.Path"/>, which is the same only under the same mount point.
/// </summary>
internal interface IShardKeyedSource
{
    /// <summary>The image's key: its path relative to the source's root with '/' separators, or an IDX image's index.</summary>
    string ShardKeyOf(LabelledImage image);

    /// <summary>How the keys are made, for <c>store verify</c> to recompute them from stored paths; null where they cannot be.</summary>
    ShardKeyScheme? KeyScheme { get; }
}
