using Pipeline.Decoding;
using Pipeline.Models;
using Pipeline.Preprocessing;
using Pipeline.Sources;

namespace Pipeline.Fuzz;

/// <summary>
/// Decode + preprocess, as one featurize worker does it: the bytes as an image file → the product's
/// <see cref="ImageDecoder"/> with its limits → <see cref="TensorPreprocessor"/> for the bundled
/// ResNet18 into its tensor slot.
/// </summary>
/// <remarks>
/// <para>Rejects are the promised outcome for bad files, so they pass, except the ones the decoder's
/// catch-all makes ("The decoder failed (IndexOutOfRangeException) …"): those are exceptions nobody
/// anticipated, the findings this target is for. So is an image decoded past the pixel limit, which
/// would mean a header told Identify one size and the decoder another.</para>
/// <para>The pixel limit is 1 megapixel (<c>--max-megapixels 1</c>) rather than the default 64, so that
/// an image within the limit decodes in milliseconds and afl-fuzz's timeout only fires on a real
/// hang, not on a legitimately large picture.</para>
/// </remarks>
internal sealed class DecodeTarget : IFuzzTarget
{
    private const string CatchAllPrefix = "The decoder failed (";

    private static readonly DecodeLimits Limits = new() { MaxFileBytes = 1024 * 1024, MaxPixels = 1000 * 1000 };

    private readonly ImageDecoder _decoder = new(Limits);
    private readonly ModelSpec _spec;
    private readonly TensorPreprocessor _preprocessor;
    private readonly float[] _tensor;
    private readonly LabelledImage _image;

    public DecodeTarget()
    {
        var model = ModelZoo.LoadDefault().Resolve("resnet18", "models");
        _spec = model.Spec;
        _preprocessor = new TensorPreprocessor(_spec, model.MeanImagePath);
        _tensor = new float[_preprocessor.ImageLength];
        _image = new LabelledImage(0, Path.Combine(ScratchFolder.Create(), "input.img"), "fuzz", 0);
    }

    public string Run(ReadOnlySpan<byte> input)
    {
        File.WriteAllBytes(_image.Path, input);
        var outcome = _decoder.Decode(_image, _spec.InputSize, _spec.InputSize, _spec.Resize);
        if (!outcome.IsDecoded)
        {
            if (outcome.Reject.Reason.StartsWith(CatchAllPrefix, StringComparison.Ordinal))
            {
                throw new FuzzFindingException($"Unanticipated decoder exception, rejected by the catch-all: {outcome.Reject.Reason}");
            }

            return $"rejected at {outcome.Reject.Stage}: {outcome.Reject.Reason}";
        }

        using var image = outcome.Image;
        if (image.Pixels.Width != _spec.InputSize || image.Pixels.Height != _spec.InputSize || image.OriginalWidth <= 0 || image.OriginalHeight <= 0)
        {
            throw new FuzzFindingException(
                $"Decoded to {image.Pixels.Width}×{image.Pixels.Height} from {image.OriginalWidth}×{image.OriginalHeight}; the model needs {_spec.InputSize}×{_spec.InputSize}.");
        }

        if ((long)image.OriginalWidth * image.OriginalHeight > Limits.MaxPixels)
        {
            throw new FuzzFindingException(
                $"Decoded {image.OriginalWidth}×{image.OriginalHeight} pixels past the {Limits.MaxPixels}-pixel limit that the header check enforces.");
        }

        _preprocessor.Write(image.Pixels, _tensor);
        return $"decoded {image.OriginalWidth}×{image.OriginalHeight} into the {_spec.Name} tensor";
    }
}
