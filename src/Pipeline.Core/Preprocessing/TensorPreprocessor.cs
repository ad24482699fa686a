using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using Pipeline.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Pipeline.Preprocessing;

/// <summary>
/// Turns an 8-bit RGB image, already at the model's input size, into the float tensor the model
/// expects, written straight into its slot of a batch buffer. Thread-safe: the only state is
/// read-only (the per-channel constants and the mean image), so one instance serves every caller.
/// </summary>
internal sealed class TensorPreprocessor
{
    // Keras imagenet_utils 'caffe' means, per colour (R, G, B); Keras lists them B, G, R as 103.939, 116.779, 123.68.
    private static readonly float[] CaffeMeanRgb = [123.68f, 116.779f, 103.939f];
    private static readonly float[] TorchMeanRgb = [0.485f, 0.456f, 0.406f];
    private static readonly float[] TorchStdRgb = [0.229f, 0.224f, 0.225f];

    private readonly int _size;
    private readonly bool _nhwc;

    // Output channel k reads colour _source[k] (0 = R, 1 = G, 2 = B) and becomes value*_scale[k] + _offset[k] − _mean[position].
    private readonly int[] _source;
    private readonly float[] _scale = new float[3];
    private readonly float[] _offset = new float[3];
    private readonly float[]? _mean;

    /// <param name="spec">The model whose input is produced.</param>
    /// <param name="meanImagePath">File holding <see cref="ModelSpec.MeanImage"/>; required for <see cref="Normalization.MeanImage"/> (see <see cref="ResolvedModel.MeanImagePath"/>).</param>
    public TensorPreprocessor(ModelSpec spec, string? meanImagePath = null)
    {
        Spec = spec;
        _size = spec.InputSize;
        _nhwc = spec.Layout == TensorLayout.Nhwc;
        _source = spec.ChannelOrder == ChannelOrder.Rgb ? [0, 1, 2] : [2, 1, 0];
        for (var k = 0; k < 3; k++)
        {
            var colour = _source[k];
            (_scale[k], _offset[k]) = spec.Normalization switch
            {
                Normalization.Tf => (1f / 127.5f, -1f),
                Normalization.Caffe => (1f, -CaffeMeanRgb[colour]),
                Normalization.Torch => (1f / (255f * TorchStdRgb[colour]), -TorchMeanRgb[colour] / TorchStdRgb[colour]),
                Normalization.MeanImage => (1f, 0f),
                _ => throw new ArgumentOutOfRangeException(nameof(spec), spec.Normalization, "Unknown normalization."),
            };
        }

        if (spec.Normalization == Normalization.MeanImage)
        {
            if (spec.MeanImage is null || meanImagePath is null)
            {
                throw new ArgumentException($"Model '{spec.Name}' uses mean-image normalization; pass the mean image file.", nameof(meanImagePath));
            }

            _mean = LoadMeanImage(spec, meanImagePath);
        }
    }

    /// <summary>The model this preprocessor feeds.</summary>
    public ModelSpec Spec { get; }

    /// <summary>Floats per image: C × H × W.</summary>
    public int ImageLength => Spec.ImageLength;

    /// <summary>
    /// Writes <paramref name="image"/> into <paramref name="destination"/> (exactly
    /// <see cref="ImageLength"/> floats) in the model's layout, channel order and normalisation.
    /// Allocates nothing: reads the pixel buffer in place, or a pooled copy when ImageSharp
    /// stored the image in several blocks.
    /// </summary>
    public void Write(Image<Rgb24> image, Span<float> destination)
    {
        if (image.Width != _size || image.Height != _size)
        {
            throw new ArgumentException($"Image is {image.Width}x{image.Height}; model '{Spec.Name}' needs {_size}x{_size} (resize before preprocessing).", nameof(image));
        }

        if (destination.Length != ImageLength)
        {
            throw new ArgumentException($"Destination holds {destination.Length} floats; one image needs {ImageLength}.", nameof(destination));
        }

        if (image.DangerousTryGetSinglePixelMemory(out var memory))
        {
            Write(memory.Span, destination);
            return;
        }

        var pixelCount = _size * _size;
        var rented = ArrayPool<Rgb24>.Shared.Rent(pixelCount);
        try
        {
            var pixels = rented.AsSpan(0, pixelCount);
            image.CopyPixelDataTo(pixels);
            Write(pixels, destination);
        }
        finally
        {
            ArrayPool<Rgb24>.Shared.Return(rented);
        }
    }

    private void Write(ReadOnlySpan<Rgb24> pixels, Span<float> destination)
    {
        var plane = pixels.Length;
        // Rgb24 is three packed bytes R, G, B: index the bytes instead of switching on the channel per pixel.
        var bytes = MemoryMarshal.AsBytes(pixels);
        for (var k = 0; k < 3; k++)
        {
            var colour = _source[k];
            var scale = _scale[k];
            var offset = _offset[k];
            // NCHW: channel k is the contiguous plane k; NHWC: every third float from k.
            var start = _nhwc ? k : k * plane;
            var stride = _nhwc ? 3 : 1;
            if (_mean is null)
            {
                for (var i = 0; i < plane; i++)
                {
                    destination[start + i * stride] = bytes[i * 3 + colour] * scale + offset;
                }
            }
            else
            {
                for (var i = 0; i < plane; i++)
                {
                    var at = start + i * stride;
                    destination[at] = bytes[i * 3 + colour] * scale + offset - _mean[at];
                }
            }
        }
    }

    /// <summary>
    /// Canonical one-line description of the preprocessing, stored in the feature store metadata
    /// so features from different preprocessing are never mixed.
    /// </summary>
    public string Describe() => Describe(Spec);

    /// <inheritdoc cref="Describe()"/>
    public static string Describe(ModelSpec spec)
    {
        var size = spec.InputSize;
        var resize = spec.Resize.Mode switch
        {
            ResizeMode.CenterCrop => string.Create(CultureInfo.InvariantCulture, $"center-crop shorter-side {spec.Resize.ShorterSide} to {size}x{size}"),
            ResizeMode.Pad => string.Create(CultureInfo.InvariantCulture, $"pad centred to square with black (0,0,0), then stretch to {size}x{size}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"stretch to {size}x{size}"),
        };
        var normalization = ModelZoo.Spell(spec.Normalization);
        if (spec.MeanImage is { } mean)
        {
            normalization += $"({Path.GetFileName(mean.File)}:{mean.Tensor})";
        }

        var pooling = spec.Layers.Count > 0 || spec.HasSpatialFeatureMap ? ModelZoo.Spell(spec.Pooling) : "none";
        return $"resize={resize}; layout={spec.Layout.ToString().ToUpperInvariant()}; channels={spec.ChannelOrder.ToString().ToUpperInvariant()}; " +
               $"normalization={normalization}; pooling={pooling}";
    }

    // The mean tensor is [1,3,H,W] in the model's channel order (ResNetPreprocess.onnx: B,G,R),
    // 0-255 scale; it is stored here in the model's layout so Write indexes it like the destination.
    private static float[] LoadMeanImage(ModelSpec spec, string path)
    {
        var (values, dims) = OnnxInitializer.ReadFloats(path, spec.MeanImage!.Tensor);
        if (dims is not [1, 3, var h, var w] || h != spec.InputSize || w != spec.InputSize)
        {
            throw new ModelZooException($"Mean image '{spec.MeanImage.Tensor}' in '{path}' has shape [{string.Join(",", dims)}]; model '{spec.Name}' needs [1,3,{spec.InputSize},{spec.InputSize}].");
        }

        if (spec.Layout == TensorLayout.Nchw)
        {
            return values;
        }

        var plane = spec.InputSize * spec.InputSize;
        var nhwc = new float[values.Length];
        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < plane; i++)
            {
                nhwc[i * 3 + c] = values[c * plane + i];
            }
        }

        return nhwc;
    }
}
