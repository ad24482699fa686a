using Pipeline.Settings;

namespace Pipeline.Featurization;

/// <summary>
/// Makes a featurization run a stream (<see cref="FeaturizationOptions.Stream"/>): micro-batches go to
/// inference when full or <see cref="MaxBatchDelay"/> after their first image, each is committed to
/// the store before the next, and a stop ends the stream rather than interrupting it.
/// </summary>
public sealed record StreamOptions
{
    private readonly TimeSpan _maxBatchDelay = TimeSpan.FromSeconds(SettingCatalog.Stream.MaxDelaySeconds.Default);

    /// <summary>
    /// How long a micro-batch that is not full waits, from its first decoded image, before it goes to
    /// inference (default 2 s; more than 0, at most a day).
    /// </summary>
    public TimeSpan MaxBatchDelay
    {
        get => _maxBatchDelay;
        init => _maxBatchDelay = SettingCatalog.Stream.MaxDelaySeconds.Allows(value.TotalSeconds)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxBatchDelay), value, $"{nameof(MaxBatchDelay)} must be {SettingCatalog.Stream.MaxDelaySeconds.Range} seconds (was {value}).");
    }

    /// <summary>
    /// How long a generation of the store that a compaction replaced is kept for the readers that
    /// listed it (default 600 s; 0 to a day): see <see cref="SettingCatalog.Stream.CompactGraceSeconds"/>.
    /// </summary>
    public TimeSpan CompactGrace { get; init; } = TimeSpan.FromSeconds(SettingCatalog.Stream.CompactGraceSeconds.Default);

    /// <summary>What becomes of a landed file after its row or reject is committed (default <see cref="LandedFileAction.Keep"/>).</summary>
    public LandedFileAction After { get; init; } = SettingCatalog.Stream.After.DefaultAs<LandedFileAction>();

    /// <summary>
    /// Where <see cref="LandedFileAction.Archive"/> moves files: <c>/in/cat/1.png</c> becomes
    /// <c>ARCHIVE/in/cat/1.png</c>, as Spark's <c>cleanSource</c> mirrors the source path under its
    /// <c>sourceArchiveDir</c>, so that files of different folders never collide. Required for archive.
    /// </summary>
    public string? ArchiveFolder { get; init; }

    /// <summary>
    /// The folders the stream's source lands images from: the health endpoint reports the stream
    /// unhealthy while one cannot be read. Empty for a source that is not a folder.
    /// </summary>
    public IReadOnlyList<string> LandingFolders { get; init; } = [];
}
