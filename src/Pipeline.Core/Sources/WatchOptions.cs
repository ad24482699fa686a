using Pipeline.Settings;

namespace Pipeline.Sources;

/// <summary>How a <see cref="WatchImageSource"/> tells a finished file and how often it lists its folder.</summary>
internal sealed record WatchOptions
{
    /// <summary>The catalog's defaults.</summary>
    public static WatchOptions Default { get; } = new();

    /// <summary>How long a file's size and mtime must stay unchanged (<see cref="SettingCatalog.Stream.SettleSeconds"/>).</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(SettingCatalog.Stream.SettleSeconds.Default);

    /// <summary>Time between full listings when the watcher says nothing (<see cref="SettingCatalog.Stream.RescanSeconds"/>).</summary>
    public TimeSpan Rescan { get; init; } = TimeSpan.FromSeconds(SettingCatalog.Stream.RescanSeconds.Default);

    /// <summary>
    /// How far below a listing's start, beyond <see cref="Settle"/>, a file's ctime may lie and the
    /// file still be remembered by name (<see cref="LandingLedger"/>). It absorbs the skew between
    /// this host's clock and a network filesystem server's, which stamps ctime, and a clock stepped
    /// back by NTP: a file whose ctime lies further in the past than this when it lands is missed.
    /// 60 s: NTP keeps hosts within milliseconds and steps only past 128 ms; Kerberos already fails
    /// past 5 minutes of skew. It is what the memory bound scales with: files landed in the last
    /// Settle + Window seconds.
    /// </summary>
    public TimeSpan Window { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether a file-system watcher hints at changes; without one, files are found by the listing every <see cref="Rescan"/> only, as on a mount that sends no events.</summary>
    public bool Watcher { get; init; } = true;

    /// <summary>
    /// Shortest time between two listings that the watcher's events start: a storm of events, one per
    /// file written, becomes one listing per this interval rather than one per event.
    /// </summary>
    public TimeSpan HintCoalescing { get; init; } = TimeSpan.FromMilliseconds(100);
}
