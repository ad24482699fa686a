using Pipeline.Featurization;
using Pipeline.Settings;

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

    /// <summary>The stream's options, archiving into <paramref name="archiveFolder"/>.</summary>
    internal StreamOptions ToOptions(string archiveFolder) => new()
    {
        MaxBatchDelay = TimeSpan.FromSeconds(MaxDelaySeconds),
        After = After,
        ArchiveFolder = archiveFolder,
    };
}
