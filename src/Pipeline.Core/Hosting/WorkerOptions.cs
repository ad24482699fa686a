using Pipeline.Settings;

namespace Pipeline.Hosting;

/// <summary>The inbox worker's settings, configuration section <c>Pipeline:Worker</c>.</summary>
public sealed record WorkerOptions
{
    /// <summary>The configuration section bound to this record.</summary>
    public const string SectionName = "Pipeline:Worker";

    /// <summary>The watched folder, relative to the content root (default <c>inbox</c>).</summary>
    public string Inbox { get; init; } = SettingCatalog.Worker.Inbox.Default;

    /// <summary>
    /// Names this worker in claim files. The default (machine name and process id) is unique per
    /// process, so a crashed worker's claims are taken over once <see cref="ClaimLease"/> expires; give a
    /// stable id (one per service instance) to have a restarted worker resume its own claims at once.
    /// Letters, digits, '-' and '_' only.
    /// </summary>
    public string WorkerId { get; init; } = SettingCatalog.Worker.WorkerId.Default;

    /// <summary>Runs executed at once, 1 to 64 (default 1).</summary>
    public int MaxConcurrentRuns { get; init; } = SettingCatalog.Worker.MaxConcurrentRuns.Default;

    /// <summary>How often the inbox is scanned when idle (default 2 s).</summary>
    public TimeSpan PollInterval { get; init; } = SettingCatalog.Worker.PollInterval.Default;

    /// <summary>
    /// How long in-flight runs get after SIGTERM / Ctrl+C to flush and record themselves interrupted
    /// before the host exits anyway; becomes <c>HostOptions.ShutdownTimeout</c> (default 30 s).
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; init; } = SettingCatalog.Worker.ShutdownGracePeriod.Default;

    /// <summary>
    /// A claim not refreshed for this long belongs to a dead worker and may be taken over; live workers
    /// refresh theirs every quarter lease (default 5 min).
    /// </summary>
    public TimeSpan ClaimLease { get; init; } = SettingCatalog.Worker.ClaimLease.Default;
}
