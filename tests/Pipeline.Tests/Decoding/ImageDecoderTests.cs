using System.Text;
using Pipeline.Decoding;
using Pipeline.Models;
using Pipeline.Sources;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Metadata.Profiles.Exif;
using SixLabors.ImageSharp.PixelFormats;

namespace Pipeline.Tests.Decoding;

public sealed class ImageDecoderTests
{
    private readonly ImageDecoder _decoder = new();

    [Fact]
    public async Task Decode_FolderWithBadFiles_RejectsEachBadFileOnceAndDecodesTheGood()
    {
        using var folder = new TempFolder();
        var goodPng = EncodeSolid(12, 10, new Rgb24(1, 2, 3), new PngEncoder());
        folder.Write("a/good.png", goodPng);
        folder.Write("a/good.jpg", EncodeSolid(12, 10, new Rgb24(200, 100, 50), new JpegEncoder { Quality = 95 }));
        folder.Write("a/truncated.png", goodPng[..(goodPng.Length / 2)]);
        folder.Write("a/empty.png", []);
        folder.Write("a/text.jpg", Encoding.UTF8.GetBytes("this is not a JPEG, just words in a file"));
        folder.Write("a/bomb.png", PngBytes.WithDeclaredSize(100_000, 100_000));
        var source = new FolderImageSource(folder.Path);

        var outcomes = new Dictionary<string, DecodeOutcome>();
        await foreach (var image in source.ReadAsync())
        {
            outcomes.Add(Path.GetFileName(image.Path), _decoder.Decode(image, 8, 8, ResizeRule.Stretch));
        }

        Assert.True(outcomes["good.png"].IsDecoded);
        Assert.True(outcomes["good.jpg"].IsDecoded);
        using (var good = outcomes["good.png"].Image!)
        {
            Assert.Equal((12, 10), (good.OriginalWidth, good.OriginalHeight));
            Assert.Equal((8, 8), (good.Pixels.Width, good.Pixels.Height));
            Assert.Equal(new Rgb24(1, 2, 3), good.Pixels[4, 4]);
        }

        outcomes["good.jpg"].Image!.Dispose();
        AssertRejected(outcomes["truncated.png"], RejectStages.Decode, "truncated");
        AssertRejected(outcomes["empty.png"], RejectStages.Decode, "empty (0 bytes)");
        AssertRejected(outcomes["text.jpg"], RejectStages.Decode, "not a recognised image format");
        AssertRejected(outcomes["bomb.png"], RejectStages.Limits, "100000×100000");
        Assert.Equal(Path.Combine(folder.Path, "a", "bomb.png"), outcomes["bomb.png"].Reject!.Path);
    }

    public static TheoryData<string> TruncatableFormats => ["png", "jpg", "gif", "webp", "bmp", "tiff"];

    [Theory]
    [MemberData(nameof(TruncatableFormats))]
    public void Decode_FileCutAt90Percent_RejectsAtDecode(string format)
    {
        // ImageSharp 2.x would zero-fill the missing rows of all but TIFF; TruncationCheck catches them.
        using var folder = new TempFolder();
        var bytes = EncodeNoise(64, 48, EncoderFor(format));
        var image = Image(format, folder.Write($"cut.{format}", bytes[..(bytes.Length * 9 / 10)]));

        AssertRejected(_decoder.Decode(image, 8, 8, ResizeRule.Stretch), RejectStages.Decode, "");
    }

    [Theory]
    [MemberData(nameof(TruncatableFormats))]
    public void Decode_WholeFileWithTrailingBytes_Decodes(string format)
    {
        // Data after the end marker (a motion photo's video, padding) is not truncation.
        using var folder = new TempFolder();
        var image = Image(format, folder.Write($"x.{format}", [.. EncodeNoise(64, 48, EncoderFor(format)), .. new byte[100]]));

        var outcome = _decoder.Decode(image, 8, 8, ResizeRule.Stretch);

        Assert.True(outcome.IsDecoded, outcome.Reject?.Reason);
        outcome.Image.Dispose();
    }

    [Fact]
    public void Decode_HeaderDeclaringTenGigapixels_RejectsWithoutAllocatingPixels()
    {
        using var folder = new TempFolder();
        var good = Image("good.png", folder.Write("good.png", EncodeSolid(4, 4, default, new PngEncoder())));
        var bomb = Image("bomb.png", folder.Write("bomb.png", PngBytes.WithDeclaredSize(100_000, 100_000)));
        _decoder.Decode(good, 4, 4, ResizeRule.Stretch).Image!.Dispose();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var outcome = _decoder.Decode(bomb, 224, 224, ResizeRule.Stretch);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        AssertRejected(outcome, RejectStages.Limits, "100000×100000");
        // A decoded 100000² RGB image needs 30 GB; anything above stream buffers means pixels were allocated.
        Assert.InRange(allocated, 0, 1024 * 1024);
    }

    [Fact]
    public void Decode_FileOverSizeLimit_RejectsAtLimits()
    {
        using var folder = new TempFolder();
        var png = EncodeSolid(32, 32, new Rgb24(9, 9, 9), new PngEncoder());
        var image = Image("x.png", folder.Write("x.png", png));
        var decoder = new ImageDecoder(new DecodeLimits { MaxFileBytes = png.Length - 1 });

        AssertRejected(decoder.Decode(image, 8, 8, ResizeRule.Stretch), RejectStages.Limits, $"{png.Length} bytes");
    }

    [Fact]
    public void Decode_MissingFile_RejectsAtRead()
    {
        var image = new LabelledImage(0, Path.Combine(Path.GetTempPath(), "no-such-dir-7c1f", "x.png"), "a", 0);

        AssertRejected(_decoder.Decode(image, 8, 8, ResizeRule.Stretch), RejectStages.Read, "does not exist");
    }

    [Theory]
    [InlineData("fifo", "FIFO")]
    [InlineData("link to a fifo", "FIFO")]
    [InlineData("link to /dev/zero", "character device")]
    [InlineData("socket", "socket")]
    public async Task Decode_PathIsNotARegularFile_RejectsAtReadWithoutOpeningIt(string what, string kind)
    {
        using var folder = new TempFolder();
        var path = folder.Combine("x.png");
        using var socket = what == "socket" ? SpecialFiles.Socket(path) : null;
        _ = what switch
        {
            "fifo" => SpecialFiles.Fifo(path),
            "link to a fifo" => SpecialFiles.Link(path, SpecialFiles.Fifo(folder.Combine("fifo"))),
            "link to /dev/zero" => SpecialFiles.Link(path, "/dev/zero"),
            _ => path,
        };

        // Opening a FIFO blocks until a writer comes, and /dev/zero never ends: bounded, so that a
        // regression fails the test instead of hanging the suite.
        var outcome = await Task.Run(() => _decoder.Decode(Image("x.png", path), 8, 8, ResizeRule.Stretch)).WaitAsync(TimeSpan.FromSeconds(30));

        AssertRejected(outcome, RejectStages.Read, $"The path is not a regular file ({kind}), so it is not opened");
    }

    [Fact]
    public async Task DecodeAsync_DecodeOverTheTimeLimit_RejectsAtLimitsNamingTheLimit()
    {
        using var folder = new TempFolder();
        var image = Image("big.png", folder.Write("big.png", EncodeSolid(2000, 2000, new Rgb24(9, 9, 9), new PngEncoder())));
        // A 4-megapixel decode takes tens of milliseconds on any machine, far over a millisecond.
        var decoder = new ImageDecoder(new DecodeLimits { MaxDecodeTime = TimeSpan.FromMilliseconds(1) });

        var outcome = await decoder.DecodeAsync(image, 8, 8, ResizeRule.Stretch, CancellationToken.None);

        AssertRejected(outcome, RejectStages.Limits, "within the time limit of 0.001 s");
    }

    [Fact]
    public async Task DecodeAsync_DecodeWithinTheTimeLimit_DecodesAsDecodeDoes()
    {
        using var folder = new TempFolder();
        var image = Image("x.png", folder.Write("x.png", EncodeSolid(12, 10, new Rgb24(1, 2, 3), new PngEncoder())));

        var outcome = await _decoder.DecodeAsync(image, 8, 8, ResizeRule.Stretch, CancellationToken.None);

        Assert.True(outcome.IsDecoded, outcome.Reject?.Reason);
        using var decoded = outcome.Image;
        Assert.Equal((12, 10), (decoded.OriginalWidth, decoded.OriginalHeight));
        Assert.Equal(new Rgb24(1, 2, 3), decoded.Pixels[3, 3]);
    }

    [Fact]
    public void Decode_JpegWithExifOrientation6_RotatesAndReportsOrientedSize()
    {
        // Stored 16×8: top half red, bottom half blue. Orientation 6 means "rotate 90° clockwise to
        // display", so the displayed 8×16 image has the stored top (red) on its right.
        using var stored = new Image<Rgb24>(16, 8);
        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < 16; x++)
            {
                stored[x, y] = y < 4 ? new Rgb24(255, 0, 0) : new Rgb24(0, 0, 255);
            }
        }

        stored.Metadata.ExifProfile = new ExifProfile();
        stored.Metadata.ExifProfile.SetValue(ExifTag.Orientation, (ushort)6);
        using var folder = new TempFolder();
        var jpeg = Encode(stored, new JpegEncoder { Quality = 100, ColorType = JpegColorType.YCbCrRatio444 });
        var image = Image("rotated.jpg", folder.Write("rotated.jpg", jpeg));

        using var decoded = _decoder.Decode(image, 8, 16, ResizeRule.Stretch).Image!;

        Assert.Equal((8, 16), (decoded.OriginalWidth, decoded.OriginalHeight));
        // JPEG is lossy; 24 levels of tolerance still separates red (255,0,0) from blue (0,0,255).
        AssertClose(new Rgb24(255, 0, 0), decoded.Pixels[6, 8], 24);
        AssertClose(new Rgb24(0, 0, 255), decoded.Pixels[1, 8], 24);
    }

    [Fact]
    public void Decode_SixteenBitGrayPng_ScalesTo8BitGray()
    {
        using var gray16 = new Image<L16>(2, 1);
        gray16[0, 0] = new L16(257 * 100);
        gray16[1, 0] = new L16(65535);

        var pixels = DecodeEncoded(gray16, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 });

        Assert.Equal([new Rgb24(100, 100, 100), new Rgb24(255, 255, 255)], pixels);
    }

    [Fact]
    public void Decode_PalettePng_ExpandsPaletteColours()
    {
        using var rgb = new Image<Rgb24>(3, 1);
        rgb[0, 0] = new Rgb24(255, 0, 0);
        rgb[1, 0] = new Rgb24(0, 128, 0);
        rgb[2, 0] = new Rgb24(10, 20, 30);

        var pixels = DecodeEncoded(rgb, new PngEncoder { ColorType = PngColorType.Palette });

        Assert.Equal([new Rgb24(255, 0, 0), new Rgb24(0, 128, 0), new Rgb24(10, 20, 30)], pixels);
    }

    [Fact]
    public void Decode_RgbaPng_DropsAlphaKeepingTheColourUnderIt()
    {
        using var rgba = new Image<Rgba32>(2, 1);
        rgba[0, 0] = new Rgba32(255, 0, 0, 0);
        rgba[1, 0] = new Rgba32(10, 20, 30, 128);

        var pixels = DecodeEncoded(rgba, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, TransparentColorMode = PngTransparentColorMode.Preserve });

        Assert.Equal([new Rgb24(255, 0, 0), new Rgb24(10, 20, 30)], pixels);
    }

    [Fact]
    public void Decode_GrayscaleJpeg_ReplicatesGrayToRgb()
    {
        using var gray = new Image<L8>(8, 8, new L8(100));

        var pixels = DecodeEncoded(gray, new JpegEncoder { ColorType = JpegColorType.Luminance, Quality = 100 });

        // A flat block survives JPEG quantisation to within one level of rounding.
        Assert.All(pixels, p => AssertClose(new Rgb24(100, 100, 100), p, 1));
        Assert.All(pixels, p => Assert.True(p.R == p.G && p.G == p.B));
    }

    [Fact]
    public void Decode_CmykJpeg_ConvertsToRgb()
    {
        // Written by scripts/make_cmyk_jpeg_fixture.py: left half cyan, right half yellow.
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Decoding", "cmyk-16x8.jpg");

        using var decoded = _decoder.Decode(Image("cmyk.jpg", path), 16, 8, ResizeRule.Stretch).Image!;

        AssertClose(new Rgb24(0, 255, 255), decoded.Pixels[3, 4], 8);
        AssertClose(new Rgb24(255, 255, 0), decoded.Pixels[12, 4], 8);
    }

    [Fact]
    public void Decode_TiffWithCorruptDeflateData_RejectsAsCorruptData()
    {
        // Found by fuzz/: .NET's inflater throws InvalidDataException, which fell to the catch-all's
        // "The decoder failed (InvalidDataException)" as if the decoder, not the file, were at fault.
        var path = FuzzFixture.PathOf("tiff-deflate-invalid-data.tiff");

        var outcome = _decoder.Decode(Image("corrupt.tiff", path), 8, 8, ResizeRule.Stretch);

        AssertRejected(outcome, RejectStages.Decode, "");
        Assert.StartsWith("The image data is corrupt or truncated: ", outcome.Reject!.Reason, StringComparison.Ordinal);
    }

    /// <summary>
    /// Inputs found by fuzz/ (afl-tmin'd) on which ImageSharp 2.1.13's own code throws; the
    /// decoder's catch-all must turn each into a reject and stay usable for the next image.
    /// </summary>
    public static TheoryData<string, string> ImageSharpCrashes => new()
    {
        { "imagesharp-tiff-identify-nullable.tiff", nameof(InvalidOperationException) },
        { "imagesharp-tiff-sequence-no-elements.tiff", nameof(InvalidOperationException) },
        { "imagesharp-tiff-argument-out-of-range.tiff", nameof(ArgumentOutOfRangeException) },
        { "imagesharp-tiff-height-not-positive.tiff", nameof(ArgumentOutOfRangeException) },
        { "imagesharp-tiff-divide-by-zero.tiff", nameof(DivideByZeroException) },
        { "imagesharp-jpeg-null-reference.jpg", nameof(NullReferenceException) },
        { "imagesharp-png-itxt-index-out-of-range.png", nameof(IndexOutOfRangeException) },
        { "imagesharp-webp-alpha-null-reference.webp", nameof(NullReferenceException) },
    };

    [Theory]
    [MemberData(nameof(ImageSharpCrashes))]
    public void Decode_FileThatCrashesImageSharp_RejectsAtDecodeAndDecodesTheNextImage(string fixture, string exception)
    {
        var outcome = _decoder.Decode(Image(fixture, FuzzFixture.PathOf(fixture)), 8, 8, ResizeRule.Stretch);

        AssertRejected(outcome, RejectStages.Decode, $"The decoder failed ({exception}): ");
        using var folder = new TempFolder();
        var good = folder.Write("good.png", EncodeSolid(4, 4, new Rgb24(1, 2, 3), new PngEncoder()));
        using var decoded = _decoder.Decode(Image("good.png", good), 4, 4, ResizeRule.Stretch).Image!;
        Assert.Equal(new Rgb24(1, 2, 3), decoded.Pixels[2, 2]);
    }

    public static TheoryData<string> LosslessFormats => ["bmp", "gif", "tiff", "webp", "png"];

    [Theory]
    [MemberData(nameof(LosslessFormats))]
    public void Decode_LosslessFormat_RoundTripsPixelsExactly(string format)
    {
        var encoder = EncoderFor(format);
        using var rgb = new Image<Rgb24>(2, 2);
        rgb[0, 0] = new Rgb24(255, 0, 0);
        rgb[1, 0] = new Rgb24(0, 255, 0);
        rgb[0, 1] = new Rgb24(0, 0, 255);
        rgb[1, 1] = new Rgb24(255, 255, 255);

        var pixels = DecodeEncoded(rgb, encoder, $"x.{format}");

        Assert.Equal([new Rgb24(255, 0, 0), new Rgb24(0, 255, 0), new Rgb24(0, 0, 255), new Rgb24(255, 255, 255)], pixels);
    }

    [Fact]
    public void Decode_GrayPixels_ReplicatesValuesWithoutResizing()
    {
        var image = new LabelledImage(0, "imgs#0", "7", 0) { Pixels = new GrayPixels(3, 2, new byte[] { 0, 1, 2, 3, 4, 255 }) };

        using var decoded = _decoder.Decode(image, 3, 2, ResizeRule.Stretch).Image!;

        Assert.Equal((3, 2), (decoded.OriginalWidth, decoded.OriginalHeight));
        Assert.Equal(new Rgb24(2, 2, 2), decoded.Pixels[2, 0]);
        Assert.Equal(new Rgb24(255, 255, 255), decoded.Pixels[2, 1]);
    }

    [Fact]
    public void Decode_GrayPixelsOfWrongLength_Rejects()
    {
        var image = new LabelledImage(0, "imgs#0", "7", 0) { Pixels = new GrayPixels(3, 2, new byte[5]) };

        AssertRejected(_decoder.Decode(image, 3, 2, ResizeRule.Stretch), RejectStages.Decode, "5 bytes for a 3×2 image");
    }

    [Fact]
    public void Decode_StretchOfLinearGradient_HalvesSizeAndKeepsInteriorValues()
    {
        // R = 10x, G = 10y on 16×16. Triangle (bilinear) filtering preserves a linear ramp away from
        // the border: output pixel 3 samples the source centre (3 + 0.5) * 2 - 0.5 = 6.5 → 65.
        using var decoded = DecodeGradient(16, 16, ResizeRule.Stretch);

        Assert.Equal((8, 8), (decoded.Pixels.Width, decoded.Pixels.Height));
        Assert.Equal((16, 16), (decoded.OriginalWidth, decoded.OriginalHeight));
        AssertClose(new Rgb24(65, 65, 0), decoded.Pixels[3, 3], 1);
        AssertClose(new Rgb24(105, 45, 0), decoded.Pixels[5, 2], 1);
    }

    [Fact]
    public void Decode_CenterCropOfWideGradient_ScalesShorterSideThenCutsTheCentre()
    {
        // 20×10 with ShorterSide 8 → 16×8 (scale 0.8), then the centre 8×8 starts at x = 4.
        // Output (4, 4) is resized (8, 4), which samples source ((8.5 * 1.25) - 0.5, (4.5 * 1.25) - 0.5)
        // = (10.125, 5.125) → R = 101.25, G = 51.25.
        using var decoded = DecodeGradient(20, 10, new ResizeRule(global::Pipeline.Models.ResizeMode.CenterCrop, 8));

        Assert.Equal((8, 8), (decoded.Pixels.Width, decoded.Pixels.Height));
        Assert.Equal((20, 10), (decoded.OriginalWidth, decoded.OriginalHeight));
        AssertClose(new Rgb24(101, 51, 0), decoded.Pixels[4, 4], 1);
    }

    [Fact]
    public void Decode_CenterCropAtNativeShorterSide_CropsWithoutResampling()
    {
        // 8×11 with ShorterSide 8 needs no resize; (11 - 8) / 2 = 1.5 rounds half-to-even to 2,
        // as torchvision's CenterCrop does, so output row 0 is source row 2.
        using var decoded = DecodeGradient(8, 11, new ResizeRule(global::Pipeline.Models.ResizeMode.CenterCrop, 8));

        Assert.Equal(new Rgb24(30, 20, 0), decoded.Pixels[3, 0]);
        Assert.Equal(new Rgb24(70, 90, 0), decoded.Pixels[7, 7]);
    }

    [Fact]
    public void Decode_PadOfTallOddMargin_CentresTheImageOnBlackWithTheExtraColumnRight()
    {
        // 5×8 is padded to 8×8, the input size, so nothing is resampled: the margin of 3 columns is
        // 3 / 2 = 1 on the left and 2 on the right, and source column x lands at x + 1.
        using var decoded = DecodeGradient(5, 8, ResizeRule.Pad);

        Assert.Equal((8, 8), (decoded.Pixels.Width, decoded.Pixels.Height));
        Assert.Equal((5, 8), (decoded.OriginalWidth, decoded.OriginalHeight));
        for (var y = 0; y < 8; y++)
        {
            Assert.Equal(new Rgb24(0, 0, 0), decoded.Pixels[0, y]);
            Assert.Equal(new Rgb24(0, 0, 0), decoded.Pixels[6, y]);
            Assert.Equal(new Rgb24(0, 0, 0), decoded.Pixels[7, y]);
            for (var x = 0; x < 5; x++)
            {
                Assert.Equal(new Rgb24((byte)(10 * x), (byte)(10 * y), 0), decoded.Pixels[x + 1, y]);
            }
        }
    }

    [Fact]
    public void Decode_PadOfWideGradient_LetterboxesThenScalesKeepingTheAspectRatio()
    {
        // 16×8 → 16×16 with the image on rows 4..11, then halved to 8×8. Output row 0 samples padded
        // rows 0..2 only (triangle support ±2 at scale 2), all black; output (4, 4) samples padded
        // (8.5, 8.5), inside the image: R = 85, G = 10 × (8.5 − 4) = 45. A stretch would leave no black row.
        using var decoded = DecodeGradient(16, 8, ResizeRule.Pad);

        Assert.Equal((8, 8), (decoded.Pixels.Width, decoded.Pixels.Height));
        for (var x = 0; x < 8; x++)
        {
            Assert.Equal(new Rgb24(0, 0, 0), decoded.Pixels[x, 0]);
            Assert.Equal(new Rgb24(0, 0, 0), decoded.Pixels[x, 7]);
        }

        AssertClose(new Rgb24(85, 45, 0), decoded.Pixels[4, 4], 1);
    }

    [Fact]
    public void Decode_PadOfSquareImage_IsTheStretch()
    {
        using var padded = DecodeGradient(16, 16, ResizeRule.Pad);
        using var stretched = DecodeGradient(16, 16, ResizeRule.Stretch);

        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < 8; x++)
            {
                Assert.Equal(stretched.Pixels[x, y], padded.Pixels[x, y]);
            }
        }
    }

    [Fact]
    public void Decode_SizeAlreadyMatches_KeepsPixelsExactly()
    {
        using var folder = new TempFolder();
        using var gradient = Gradient(8, 8);
        var image = Image("g.png", folder.Write("g.png", Encode(gradient, new PngEncoder())));

        using var decoded = _decoder.Decode(image, 8, 8, ResizeRule.Stretch).Image!;

        for (var y = 0; y < 8; y++)
        {
            for (var x = 0; x < 8; x++)
            {
                Assert.Equal(gradient[x, y], decoded.Pixels[x, y]);
            }
        }
    }

    private List<Rgb24> DecodeEncoded<TPixel>(Image<TPixel> source, IImageEncoder encoder, string name = "x.png")
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using var folder = new TempFolder();
        var image = Image(name, folder.Write(name, Encode(source, encoder)));
        var outcome = _decoder.Decode(image, source.Width, source.Height, ResizeRule.Stretch);
        Assert.True(outcome.IsDecoded, outcome.Reject?.Reason);
        using var decoded = outcome.Image;
        var pixels = new List<Rgb24>();
        for (var y = 0; y < source.Height; y++)
        {
            for (var x = 0; x < source.Width; x++)
            {
                pixels.Add(decoded.Pixels[x, y]);
            }
        }

        return pixels;
    }

    private static IImageEncoder EncoderFor(string format) => format switch
    {
        "bmp" => new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 },
        "gif" => new GifEncoder(),
        "tiff" => new TiffEncoder(),
        "webp" => new WebpEncoder { FileFormat = WebpFileFormatType.Lossless },
        "jpg" => new JpegEncoder { Quality = 90 },
        _ => new PngEncoder(),
    };

    private static byte[] EncodeNoise(int width, int height, IImageEncoder encoder)
    {
        var random = new Random(42);
        using var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            }
        }

        return Encode(image, encoder);
    }

    private static LabelledImage Image(string name, string path) => new(0, path, name, 0);

    private static Image<Rgb24> Gradient(int width, int height)
    {
        var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24((byte)(10 * x), (byte)(10 * y), 0);
            }
        }

        return image;
    }

    private static byte[] Encode<TPixel>(Image<TPixel> image, IImageEncoder encoder)
        where TPixel : unmanaged, IPixel<TPixel>
    {
        using var buffer = new MemoryStream();
        image.Save(buffer, encoder);
        return buffer.ToArray();
    }

    private static byte[] EncodeSolid(int width, int height, Rgb24 colour, IImageEncoder encoder)
    {
        using var image = new Image<Rgb24>(width, height, colour);
        return Encode(image, encoder);
    }

    /// <summary>A <see cref="Gradient"/> of the given size, written as a PNG and decoded to 8×8 by <paramref name="rule"/>.</summary>
    private DecodedImage DecodeGradient(int width, int height, ResizeRule rule)
    {
        using var folder = new TempFolder();
        using var gradient = Gradient(width, height);
        var image = Image("g.png", folder.Write("g.png", Encode(gradient, new PngEncoder())));
        return _decoder.Decode(image, 8, 8, rule).Image!;
    }

    private static void AssertRejected(DecodeOutcome outcome, string stage, string reasonPart)
    {
        Assert.False(outcome.IsDecoded);
        Assert.Null(outcome.Image);
        Assert.Equal(stage, outcome.Reject.Stage);
        Assert.Contains(reasonPart, outcome.Reject.Reason);
    }

    private static void AssertClose(Rgb24 expected, Rgb24 actual, int tolerance)
    {
        Assert.InRange(actual.R, expected.R - tolerance, expected.R + tolerance);
        Assert.InRange(actual.G, expected.G - tolerance, expected.G + tolerance);
        Assert.InRange(actual.B, expected.B - tolerance, expected.B + tolerance);
    }
}
