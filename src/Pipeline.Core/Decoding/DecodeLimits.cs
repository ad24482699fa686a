namespace Pipeline.Decoding;

/// <summary>
/// Limits checked before any pixel is decoded, so that a hostile file (a decompression bomb, a
/// header that declares 100000×100000 pixels) becomes a reject instead of exhausting memory.
/// </summary>
public sealed record DecodeLimits
{
    /// <summary>Largest file accepted, in bytes (default 256 MiB).</summary>
    public long MaxFileBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Largest width × height accepted, read from the header (default 64 megapixels).</summary>
    public long MaxPixels { get; init; } = 64L * 1000 * 1000;
}
