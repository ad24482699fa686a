using Pipeline.Sources;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Pipeline.Decoding;

/// <summary>
/// A decoded image, already oriented, in 8-bit RGB and resized to the model's input size, with
/// the original size that the feature store records. Owns its pixel buffer.
/// </summary>
internal sealed class DecodedImage(LabelledImage source, Image<Rgb24> pixels, int originalWidth, int originalHeight) : IDisposable
{
    public LabelledImage Source { get; } = source;

    public Image<Rgb24> Pixels { get; } = pixels;

    public int OriginalWidth { get; } = originalWidth;

    public int OriginalHeight { get; } = originalHeight;

    public void Dispose() => Pixels.Dispose();
}
