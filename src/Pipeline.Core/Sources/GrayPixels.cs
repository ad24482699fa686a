namespace Pipeline.Sources;

/// <summary>8-bit grayscale pixels, row-major, as MNIST-style IDX files store them.</summary>
public sealed record GrayPixels(int Width, int Height, ReadOnlyMemory<byte> Data);
