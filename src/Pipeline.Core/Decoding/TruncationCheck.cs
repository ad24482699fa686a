using System.Buffers.Binary;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;

namespace Pipeline.Decoding;

/// <summary>
/// Finds files cut short, which ImageSharp 2.x decodes without complaint: it follows libjpeg's
/// lenient "premature end of data" behaviour and fills the missing rows with zeros (so do its
/// PNG, GIF, WebP and BMP decoders), where Pillow, torchvision's loader, raises "image file is
/// truncated". A half-black image would silently become a wrong feature vector.
/// </summary>
/// <remarks>
/// ImageSharp leaves the stream where its decoder stopped. A decoder that stopped before the end
/// of the file found its end marker (an EOI, an IEND, the first GIF frame): the image is whole
/// and anything after it (a motion photo's video, padding) is ignored. A decoder that read to
/// the end must find the marker as the file's last bytes. WebP and BMP are checked against the
/// file size their header declares instead.
/// </remarks>
internal static class TruncationCheck
{
    private static ReadOnlySpan<byte> PngEnd => [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];

    /// <summary>Why the file looks truncated, or null when it looks whole. Moves the stream.</summary>
    public static string? Describe(Stream stream, IImageFormat format)
    {
        var length = stream.Length;
        var stoppedBeforeEnd = stream.Position < length;
        Span<byte> bytes = stackalloc byte[8];
        switch (format)
        {
            case JpegFormat when !stoppedBeforeEnd && !EndsWith(stream, [0xFF, 0xD9], bytes):
                return "The JPEG data ends before its end-of-image marker: the file is truncated.";
            case PngFormat when !stoppedBeforeEnd && !EndsWith(stream, PngEnd, bytes):
                return "The PNG data ends before its IEND chunk: the file is truncated.";
            case GifFormat when !stoppedBeforeEnd && !EndsWith(stream, [0x3B], bytes):
                return "The GIF data ends inside its first frame: the file is truncated.";
            case WebpFormat:
                // RIFF: "RIFF", then the little-endian size of everything after these 8 bytes.
                var riffBytes = HeaderUInt32(stream, 4, bytes) + 8L;
                return length < riffBytes ? $"The WebP header declares {riffBytes} bytes but the file has {length}: it is truncated." : null;
            case BmpFormat:
                // bfSize; some writers leave it 0, in which case there is nothing to check.
                var bmpBytes = HeaderUInt32(stream, 2, bytes);
                return length < bmpBytes ? $"The BMP header declares {bmpBytes} bytes but the file has {length}: it is truncated." : null;
            default:
                return null;
        }
    }

    private static bool EndsWith(Stream stream, ReadOnlySpan<byte> marker, Span<byte> buffer)
    {
        if (stream.Length < marker.Length)
        {
            return false;
        }

        stream.Position = stream.Length - marker.Length;
        var tail = buffer[..marker.Length];
        stream.ReadExactly(tail);
        return tail.SequenceEqual(marker);
    }

    private static uint HeaderUInt32(Stream stream, int offset, Span<byte> buffer)
    {
        stream.Position = offset;
        var field = buffer[..4];
        return stream.Read(field) == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(field) : 0;
    }
}
