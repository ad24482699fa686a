using Pipeline.Featurization;
using Pipeline.Settings;
using Pipeline.Sources;

namespace Pipeline.PipelineFiles;

/// <summary>
/// How a streaming run commits (YAML <c>stream</c>): it applies when the source never ends, and a
/// batch run ignores it. Values the file leaves out come from <see cref="SettingCatalog.Stream"/>.
/// </summary>
public sealed record StreamSettings
{
    /// <summary>Seconds from a micro-batch's first image to its inference when it does not fill (more than 0, at most 86400; default 2).</summary>
    public double MaxDelaySeconds { get; init; } = SettingCatalog.Stream.MaxDelaySeconds.Default;

    /// <summary>What becomes of a landed file once its row or reject is committed (default keep).</summary>
    public LandedFileAction After { get; init; } = SettingCatalog.Stream.After.DefaultAs<LandedFileAction>();

    /// <summary>Seconds a watched file's size and modification time must stay unchanged before it is taken (0 to 3600; default 1).</summary>
    public double SettleSeconds { get; init; } = SettingCatalog.Stream.SettleSeconds.Default;

    /// <summary>Seconds between full listings of a watched folder (more than 0, at most 86400; default 5).</summary>
    public double RescanSeconds { get; init; } = SettingCatalog.Stream.RescanSeconds.Default;

    /// <summary>Seconds a store generation replaced by a compaction is kept for readers (0 to 86400; default 600).</summary>
    public double CompactGraceSeconds { get; init; } = SettingCatalog.Stream.CompactGraceSeconds.Default;

    /// <summary>How a watch source of this stream tells a finished file and how often it lists its folder.</summary>
    internal WatchOptions ToWatchOptions() => new()
    {
        Settle = TimeSpan.FromSeconds(SettleSeconds),
        Rescan = TimeSpan.FromSeconds(RescanSeconds),
    };

    /// <summary>The stream's options, archiving into <paramref name="archiveFolder"/>.</summary>
    internal StreamOptions ToOptions(string archiveFolder) => new()
    {
        MaxBatchDelay = TimeSpan.FromSeconds(MaxDelaySeconds),
        After = After,
        ArchiveFolder = archiveFolder,
        CompactGrace = TimeSpan.FromSeconds(CompactGraceSeconds),
    };
}
