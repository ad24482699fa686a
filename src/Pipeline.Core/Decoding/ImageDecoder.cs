using Pipeline.IO;
using Pipeline.Models;
using Pipeline.Sources;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Advanced;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Tiff;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using ImageSharpResizeMode = SixLabors.ImageSharp.Processing.ResizeMode;

namespace Pipeline.Decoding;

/// <summary>
/// Turns a <see cref="LabelledImage"/> into 8-bit RGB pixels at the model's input size, or into a
/// <see cref="Decoding.Reject"/>: a bad, hostile or unreadable file never throws out of
/// <see cref="Decode"/>. Thread-safe: one instance serves all dataflow workers.
/// </summary>
/// <remarks>
/// <para>Formats: JPEG, PNG, BMP, GIF (first frame), TIFF (first page), WebP. TGA and PBM are left
/// out of the configuration to shrink the attack surface of an end-of-life ImageSharp 2.x.</para>
/// <para>Every pixel type becomes <see cref="Rgb24"/> through ImageSharp's own conversion: gray is
/// replicated to R=G=B, palettes are expanded, 16-bit samples are scaled to 8 bits, CMYK and YCCK
/// JPEGs are converted to RGB, and alpha is dropped (the colour under a transparent pixel is kept,
/// not composited over a background), which is what Pillow's <c>convert("RGB")</c> does too.</para>
/// <para>Limits are checked before any pixel is decoded: the file size, then the width × height the
/// header declares (<see cref="Image.Identify(Configuration, Stream, out SixLabors.ImageSharp.Formats.IImageFormat)"/>).
/// The memory allocator's per-allocation cap is the backstop for a header that lies. Before that,
/// the path must name a regular file: a FIFO, a device or a socket is rejected without being opened
/// (<see cref="FileKind"/>). <see cref="DecodeAsync"/> adds the time limit.</para>
/// </remarks>
internal sealed class ImageDecoder
{
    /// <summary>
    /// Bytes per pixel the allocation cap allows: an image at <see cref="DecodeLimits.MaxPixels"/>
    /// decoded through 16-bit RGBA intermediates (8 bytes a pixel) still fits, anything more does not.
    /// </summary>
    private const long AllocationBytesPerPixel = 8;

    /// <summary>
    /// Floor of the allocation cap: with a small <see cref="DecodeLimits.MaxPixels"/> the header check
    /// is what rejects, and the cap stays a backstop rather than failing ordinary images on a
    /// decoder's working buffers.
    /// </summary>
    private const int MinAllocationLimitMegabytes = 64;

    private readonly DecodeLimits _limits;
    private readonly Configuration _configuration;
    private readonly int _allocationLimitMegabytes;
    private readonly DecodeTimeLimit _timeLimit;

    public ImageDecoder(DecodeLimits? limits = null)
    {
        _limits = limits ?? new DecodeLimits();
        if (_limits.MaxFileBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limits), _limits.MaxFileBytes, "MaxFileBytes must be positive.");
        }

        if (_limits.MaxPixels <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limits), _limits.MaxPixels, "MaxPixels must be positive.");
        }

        if (_limits.MaxDecodeTime <= TimeSpan.Zero || _limits.MaxDecodeTime > DecodeLimits.MaxDecodeTimeLimit)
        {
            throw new ArgumentOutOfRangeException(
                nameof(limits), _limits.MaxDecodeTime, $"MaxDecodeTime must be positive and at most {DecodeLimits.MaxDecodeTimeLimit}.");
        }

        _timeLimit = new DecodeTimeLimit(_limits.MaxDecodeTime);
        _allocationLimitMegabytes = (int)Math.Clamp(
            _limits.MaxPixels * AllocationBytesPerPixel / (1024 * 1024),
            MinAllocationLimitMegabytes,
            int.MaxValue);
        _configuration = new Configuration(
            new JpegConfigurationModule(),
            new PngConfigurationModule(),
            new BmpConfigurationModule(),
            new GifConfigurationModule(),
            new TiffConfigurationModule(),
            new WebpConfigurationModule())
        {
            // The dataflow already runs one decode per core; nested parallelism would oversubscribe.
            MaxDegreeOfParallelism = 1,
            MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions { AllocationLimitMegabytes = _allocationLimitMegabytes }),
        };

        // Only the first frame is featurized, so an animation's other frames are never decoded.
        _configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
        _configuration.ImageFormatsManager.SetDecoder(TiffFormat.Instance, new TiffDecoder { DecodingMode = FrameDecodingMode.First });
    }

    /// <summary>
    /// Decodes <paramref name="image"/>, applies its EXIF orientation and resizes it to
    /// <paramref name="width"/> × <paramref name="height"/> by <paramref name="rule"/>, on the calling
    /// thread and without the time limit (<see cref="DecodeAsync"/> has it).
    /// </summary>
    /// <remarks>
    /// Resampling is ImageSharp's triangle filter, i.e. bilinear whose support widens with the
    /// downscale factor: the antialiased bilinear of Pillow's <c>resize</c> that torchvision's eval
    /// transform uses, and close to the area averaging of Spark's featurizer. An image already at
    /// the target size is not resampled, so its pixels reach the model unchanged.
    /// </remarks>
    public DecodeOutcome Decode(LabelledImage image, int width, int height, ResizeRule rule)
    {
        ValidateArguments(image, width, height, rule);
        return DecodeUntil(image, width, height, rule, CancellationToken.None);
    }

    /// <summary>
    /// <see cref="Decode"/> within <see cref="DecodeLimits.MaxDecodeTime"/>: an image that takes longer
    /// becomes a <see cref="RejectStages.Limits"/> reject, and the decode is abandoned (see
    /// <see cref="DecodeTimeLimit"/>), so one stuck input never holds up the run.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    /// <exception cref="IOException">Too many of this decoder's abandoned decodes are still running (a hung mount, typically), so this one is not started.</exception>
    public Task<DecodeOutcome> DecodeAsync(LabelledImage image, int width, int height, ResizeRule rule, CancellationToken cancellationToken)
    {
        ValidateArguments(image, width, height, rule);
        return _timeLimit.RunAsync(image.Path, stop => DecodeUntil(image, width, height, rule, stop), cancellationToken);
    }

    private static void ValidateArguments(LabelledImage image, int width, int height, ResizeRule rule)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (rule.Mode == Models.ResizeMode.CenterCrop && rule.ShorterSide < Math.Max(width, height))
        {
            throw new ArgumentOutOfRangeException(
                nameof(rule), rule.ShorterSide, $"A centre crop to {width}×{height} needs ShorterSide ≥ {Math.Max(width, height)}.");
        }
    }

    /// <summary>The decode proper; <paramref name="stop"/> ends it early where ImageSharp checks it (the result is then discarded).</summary>
    private DecodeOutcome DecodeUntil(LabelledImage image, int width, int height, ResizeRule rule, CancellationToken stop)
    {
        Image<Rgb24>? pixels = null;
        try
        {
            Reject? reject;
            (pixels, reject) = image.Pixels is { } gray ? FromGray(image.Path, gray) : Load(image.Path, stop);
            if (pixels is null)
            {
                return DecodeOutcome.Rejected(reject!);
            }

            stop.ThrowIfCancellationRequested();
            var (originalWidth, originalHeight) = (pixels.Width, pixels.Height);
            pixels = Resize(pixels, width, height, rule);
            var decoded = new DecodedImage(image, pixels, originalWidth, originalHeight);
            pixels = null;
            return DecodeOutcome.Decoded(decoded);
        }
        catch (Exception e)
        {
            return DecodeOutcome.Rejected(RejectFor(image.Path, e));
        }
        finally
        {
            pixels?.Dispose();
        }
    }

    private (Image<Rgb24>? Pixels, Reject? Reject) Load(string path, CancellationToken stop)
    {
        // Checked before the open, which for a FIFO would block until a writer came.
        if (FileKind.DescribeIfNotRegular(path) is { } kind)
        {
            return (null, new Reject(
                path, RejectStages.Read, $"The path is not a regular file ({kind}), so it is not opened: reading it could block or never end."));
        }

        FileStream stream;
        try
        {
            // No FileStream buffer: ImageSharp reads through its own buffered stream.
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, RejectFor(path, e));
        }

        using (stream)
        {
            var length = stream.Length;
            if (length == 0)
            {
                return (null, new Reject(path, RejectStages.Decode, "The file is empty (0 bytes)."));
            }

            if (length > _limits.MaxFileBytes)
            {
                return (null, new Reject(
                    path, RejectStages.Limits, $"The file is {length} bytes, over the limit of {_limits.MaxFileBytes} bytes."));
            }

            var info = Image.Identify(_configuration, stream, out var format);
            if (info is null || format is null || _configuration.ImageFormatsManager.FindDecoder(format) is not { } decoder)
            {
                return (null, UnknownFormat(path));
            }

            var declaredPixels = (long)info.Width * info.Height;
            if (declaredPixels > _limits.MaxPixels)
            {
                return (null, new Reject(
                    path,
                    RejectStages.Limits,
                    $"The header declares {info.Width}×{info.Height} ({declaredPixels} pixels), over the limit of {_limits.MaxPixels} pixels."));
            }

            // The decoder itself rather than Image.Load, which has no cancellation token to pass on.
            stream.Position = 0;
            var pixels = decoder.Decode<Rgb24>(_configuration, stream, stop);
            if (TruncationCheck.Describe(stream, format) is { } truncated)
            {
                pixels.Dispose();
                return (null, new Reject(path, RejectStages.Decode, truncated));
            }

            pixels.Mutate(x => x.AutoOrient());
            return (pixels, null);
        }
    }

    private (Image<Rgb24>? Pixels, Reject? Reject) FromGray(string path, GrayPixels gray)
    {
        var (w, h) = (gray.Width, gray.Height);
        if (w <= 0 || h <= 0 || (long)w * h != gray.Data.Length)
        {
            return (null, new Reject(
                path, RejectStages.Decode, $"The in-memory pixels hold {gray.Data.Length} bytes for a {w}×{h} image."));
        }

        if ((long)w * h > _limits.MaxPixels)
        {
            return (null, new Reject(
                path, RejectStages.Limits, $"The image is {w}×{h} ({(long)w * h} pixels), over the limit of {_limits.MaxPixels} pixels."));
        }

        var pixels = new Image<Rgb24>(_configuration, w, h);
        pixels.ProcessPixelRows(rows =>
        {
            var source = gray.Data.Span;
            for (var y = 0; y < h; y++)
            {
                var row = rows.GetRowSpan(y);
                var sourceRow = source.Slice(y * w, w);
                for (var x = 0; x < w; x++)
                {
                    var v = sourceRow[x];
                    row[x] = new Rgb24(v, v, v);
                }
            }
        });
        return (pixels, null);
    }

    /// <summary>Resizes <paramref name="pixels"/> by <paramref name="rule"/>: in place, or into a new image when padding (the old one is then disposed).</summary>
    private static Image<Rgb24> Resize(Image<Rgb24> pixels, int width, int height, ResizeRule rule)
    {
        if (rule.Mode == Models.ResizeMode.Stretch)
        {
            ResizeTo(pixels, width, height);
            return pixels;
        }

        if (rule.Mode == Models.ResizeMode.Pad)
        {
            var square = PadToSquare(pixels);
            if (!ReferenceEquals(square, pixels))
            {
                pixels.Dispose();
            }

            ResizeTo(square, width, height);
            return square;
        }

        // torchvision's Resize(int): the shorter side becomes ShorterSide and the longer one
        // int(ShorterSide * long / short), truncated; then CenterCrop's offsets
        // int(round((size - crop) / 2.0)) with Python's round-half-to-even.
        var (w, h) = (pixels.Width, pixels.Height);
        var shorter = rule.ShorterSide;
        var (resizedWidth, resizedHeight) = w <= h
            ? (shorter, (int)((long)shorter * h / w))
            : ((int)((long)shorter * w / h), shorter);
        ResizeTo(pixels, resizedWidth, resizedHeight);
        if (resizedWidth != width || resizedHeight != height)
        {
            var left = (int)Math.Round((resizedWidth - width) / 2.0, MidpointRounding.ToEven);
            var top = (int)Math.Round((resizedHeight - height) / 2.0, MidpointRounding.ToEven);
            pixels.Mutate(x => x.Crop(new Rectangle(left, top, width, height)));
        }

        return pixels;
    }

    /// <summary>
    /// Letterboxes to a square of the longer side: the image centred, an odd margin's extra pixel on
    /// the right or bottom (offset <c>(side - w) / 2</c> rounded down, as Python letterbox code writes
    /// it), the margin black (0, 0, 0), the background of the digits and of Fashion-MNIST. Padding
    /// before the resize, rather than resizing into a padded frame, keeps the one resampling of the
    /// other policies: the image's edge blends into the margin as it would into any neighbour.
    /// </summary>
    /// <returns><paramref name="pixels"/> itself when already square, otherwise a new image.</returns>
    private static Image<Rgb24> PadToSquare(Image<Rgb24> pixels)
    {
        var (w, h) = (pixels.Width, pixels.Height);
        if (w == h)
        {
            return pixels;
        }

        var side = Math.Max(w, h);
        var (left, top) = ((side - w) / 2, (side - h) / 2);

        // A new image's pixels are cleared to zero, i.e. black; the allocator is the decoder's, with its cap.
        var square = new Image<Rgb24>(pixels.GetConfiguration(), side, side);
        try
        {
            square.ProcessPixelRows(pixels, (target, source) =>
            {
                for (var y = 0; y < h; y++)
                {
                    source.GetRowSpan(y).CopyTo(target.GetRowSpan(y + top)[left..]);
                }
            });
            return square;
        }
        catch
        {
            square.Dispose();
            throw;
        }
    }

    private static void ResizeTo(Image<Rgb24> pixels, int width, int height)
    {
        if (pixels.Width == width && pixels.Height == height)
        {
            return;
        }

        pixels.Mutate(x => x.Resize(new ResizeOptions
        {
            Size = new Size(width, height),
            Mode = ImageSharpResizeMode.Stretch,
            Sampler = KnownResamplers.Triangle,
        }));
    }

    private static Reject UnknownFormat(string path) =>
        new(path, RejectStages.Decode, "The content is not a recognised image format (jpg, png, bmp, gif, tiff, webp).");

    /// <remarks>
    /// The final catch-all is deliberate: ImageSharp 2.x is end-of-life and hostile files have made
    /// its decoders throw IndexOutOfRange, Argument and Overflow exceptions; one such file must end
    /// as a reject, not as a crashed run.
    /// </remarks>
    private Reject RejectFor(string path, Exception e) => e switch
    {
        FileNotFoundException or DirectoryNotFoundException => new(path, RejectStages.Read, "The file does not exist."),
        UnauthorizedAccessException => new(path, RejectStages.Read, $"The file cannot be read: {e.Message}"),
        UnknownImageFormatException => UnknownFormat(path),
        // InvalidDataException is what .NET's inflater throws for a bad PNG or TIFF deflate stream.
        InvalidImageContentException or EndOfStreamException or InvalidDataException =>
            new(path, RejectStages.Decode, $"The image data is corrupt or truncated: {e.Message}"),
        ImageFormatException => new(path, RejectStages.Decode, $"The image cannot be decoded: {e.Message}"),
        NotSupportedException => new(path, RejectStages.Decode, $"The image uses an unsupported variant of its format: {e.Message}"),
        InvalidMemoryOperationException => new(
            path, RejectStages.Limits, $"Decoding needs a buffer over the {_allocationLimitMegabytes} MiB allocation limit: {e.Message}"),
        IOException => new(path, RejectStages.Read, $"The file cannot be read: {e.Message}"),
        _ => new(path, RejectStages.Decode, $"The decoder failed ({e.GetType().Name}): {e.Message}"),
    };
}
