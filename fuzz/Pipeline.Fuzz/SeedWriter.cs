using System.Buffers.Binary;
using System.Text;
using Parquet;
using Parquet.Schema;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Tiff.Constants;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;

namespace Pipeline.Fuzz;

/// <summary>
/// Writes the starting corpora: tiny valid files of every kind each target reads, because afl-fuzz
/// mutates from valid inputs far better than it invents a format. Made by the uninstrumented
/// build (run.sh calls it before instrumenting), so they are the same on every machine.
/// </summary>
internal static class SeedWriter
{
    private const int Side = 8;

    public static async Task WriteAsync(string decodeFolder, string loadFolder)
    {
        Directory.CreateDirectory(decodeFolder);
        Directory.CreateDirectory(loadFolder);
        foreach (var (name, encoder) in ImageEncoders())
        {
            using var image = Gradient();
            await image.SaveAsync(Path.Combine(decodeFolder, name), encoder).ConfigureAwait(false);
        }

        // An EXIF orientation exercises AutoOrient, a transparent palette the alpha drop.
        using (var oriented = Gradient())
        {
            oriented.Metadata.ExifProfile = new SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifProfile();
            oriented.Metadata.ExifProfile.SetValue(SixLabors.ImageSharp.Metadata.Profiles.Exif.ExifTag.Orientation, (ushort)6);
            await oriented.SaveAsync(Path.Combine(decodeFolder, "exif-rotated.jpg"), new JpegEncoder()).ConfigureAwait(false);
        }

        foreach (var pipeline in Directory.EnumerateFiles("pipelines", "*.yaml"))
        {
            await WriteLoadSeedAsync(loadFolder, Path.GetFileName(pipeline), LoadMode.Pipeline, await File.ReadAllBytesAsync(pipeline).ConfigureAwait(false)).ConfigureAwait(false);
        }

        var csv = "path,label\nsamples/digits/0/img_0.png,0\n\"a,\"\"b\"\"\nc.png\",1\n\n extra ,2\n";
        await WriteLoadSeedAsync(loadFolder, "manifest.csv", LoadMode.CsvManifest, Encoding.UTF8.GetBytes(csv)).ConfigureAwait(false);
        await WriteLoadSeedAsync(loadFolder, "manifest.parquet", LoadMode.ParquetManifest, await ParquetManifestAsync().ConfigureAwait(false)).ConfigureAwait(false);
        byte[] labels = [.. IdxHeader(0x00000801, 3), 1, 7, 1];
        byte[] images = [.. IdxHeader(0x00000803, 3, 2, 2), .. Enumerable.Range(0, 12).Select(i => (byte)(i * 20))];
        byte[] pair = [(byte)labels.Length, .. labels, .. images];
        await WriteLoadSeedAsync(loadFolder, "pair.idx", LoadMode.Idx, pair).ConfigureAwait(false);
        await WriteLoadSeedAsync(loadFolder, "pair-gzip.idx", LoadMode.IdxGzip, pair).ConfigureAwait(false);
    }

    private static IEnumerable<(string Name, IImageEncoder Encoder)> ImageEncoders()
    {
        yield return ("rgb.png", new PngEncoder { ColorType = PngColorType.Rgb });
        yield return ("gray.png", new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
        yield return ("palette.png", new PngEncoder { ColorType = PngColorType.Palette });
        yield return ("rgba16.png", new PngEncoder { ColorType = PngColorType.RgbWithAlpha, BitDepth = PngBitDepth.Bit16 });
        yield return ("interlaced.png", new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 });
        yield return ("ycbcr420.jpg", new JpegEncoder { ColorType = JpegColorType.YCbCrRatio420, Quality = 50 });
        yield return ("ycbcr444.jpg", new JpegEncoder { ColorType = JpegColorType.YCbCrRatio444 });
        yield return ("gray.jpg", new JpegEncoder { ColorType = JpegColorType.Luminance });
        yield return ("rgb24.bmp", new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 });
        yield return ("palette8.bmp", new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel8 });
        yield return ("frame.gif", new GifEncoder());
        yield return ("plain.tiff", new TiffEncoder { Compression = TiffCompression.None });
        yield return ("lzw.tiff", new TiffEncoder { Compression = TiffCompression.Lzw });
        yield return ("deflate-gray.tiff", new TiffEncoder { Compression = TiffCompression.Deflate, BitsPerPixel = TiffBitsPerPixel.Bit8 });
        yield return ("lossy.webp", new WebpEncoder { FileFormat = WebpFileFormatType.Lossy });
        yield return ("lossless.webp", new WebpEncoder { FileFormat = WebpFileFormatType.Lossless });
    }

    private static Image<Rgba32> Gradient()
    {
        var image = new Image<Rgba32>(Side, Side);
        for (var y = 0; y < Side; y++)
        {
            for (var x = 0; x < Side; x++)
            {
                image[x, y] = new Rgba32((byte)(x * 32), (byte)(y * 32), (byte)((x + y) * 16), (byte)(x == 0 ? 0 : 255));
            }
        }

        return image;
    }

    private static async Task<byte[]> ParquetManifestAsync()
    {
        var path = new DataField<string>("path");
        var label = new DataField<string>("label");
        using var stream = new MemoryStream();
        // Uncompressed, so that mutations reach the strings instead of breaking a codec's stream.
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.None };
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(path, label), stream, options).ConfigureAwait(false))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(path, ["a.png", "b/c.png"]).ConfigureAwait(false);
            await group.WriteAsync(label, ["x", "y"]).ConfigureAwait(false);
        }

        return stream.ToArray();
    }

    private static byte[] IdxHeader(int magic, params int[] dimensions)
    {
        var header = new byte[4 + 4 * dimensions.Length];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        for (var i = 0; i < dimensions.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dimensions[i]);
        }

        return header;
    }

    private static Task WriteLoadSeedAsync(string folder, string name, LoadMode mode, byte[] body) =>
        File.WriteAllBytesAsync(Path.Combine(folder, $"{mode}-{name}"), [(byte)mode, .. body]);
}
