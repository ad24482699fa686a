using Pipeline.Settings;

namespace Pipeline.Decoding;

/// <summary>
/// Limits that keep one hostile or broken input from taking the run down: the size checks run
/// before any pixel is decoded, so that a decompression bomb or a header that declares
/// 100000×100000 pixels becomes a reject instead of exhausting memory, and the time limit turns a
/// decode that never ends (a read blocked on a hung mount, a pathological file) into a reject
/// instead of a hung run.
/// </summary>
public sealed record DecodeLimits
{
    /// <summary>The longest <see cref="MaxDecodeTime"/> accepted: CancellationTokenSource's range, rounded down to a day.</summary>
    public static readonly TimeSpan MaxDecodeTimeLimit = TimeSpan.FromSeconds(SettingCatalog.Limits.MaxDecodeSeconds.Range.Max);

    /// <summary>Largest file accepted, in bytes (default 256 MiB).</summary>
    public long MaxFileBytes { get; init; } = SettingCatalog.Limits.MaxFileBytes.Default;

    /// <summary>Largest width × height accepted, read from the header (default 64 megapixels).</summary>
    public long MaxPixels { get; init; } = SettingCatalog.Limits.MaxPixels.Default;

    /// <summary>
    /// Longest time one image may take from open to resized pixels (default 30 s, at most
    /// <see cref="MaxDecodeTimeLimit"/>). A 64-megapixel PNG decodes in a few seconds on one core, so
    /// the default rejects only inputs that are stuck, not large ones.
    /// </summary>
    public TimeSpan MaxDecodeTime { get; init; } = TimeSpan.FromSeconds(SettingCatalog.Limits.MaxDecodeSeconds.Default);
}
