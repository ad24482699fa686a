using System.Globalization;
using Pipeline.Decoding;
using Pipeline.FeatureStore;
using Pipeline.Inference;

namespace Pipeline.Featurization;

/// <summary>
/// One batch's worth of reusable buffers: the inference tensors and the rows that describe them.
/// A few slots circulate between packing, inference and the sink, so a run allocates its batch
/// memory once whatever the data set's size.
/// </summary>
internal sealed class BatchSlot(InferenceBatch inference)
{
    private float[]? _finiteFeatures;

    public InferenceBatch Inference { get; } = inference;

    public FeatureRecord[] Records { get; } = new FeatureRecord[inference.Capacity];

    /// <summary>When the source yielded each record's image (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), for the landing-to-commit latency.</summary>
    public long[] LandedAt { get; } = new long[inference.Capacity];

    public List<Reject> Rejects { get; } = [];

    /// <summary>Each reject's file size and mtime when it was yielded, in the order of <see cref="Rejects"/>.</summary>
    public List<(long Bytes, long ModifiedUnixMs)> RejectStamps { get; } = [];

    /// <summary>Images packed for inference.</summary>
    public int Count => Inference.Count;

    /// <summary>Images whose features the sinks get, after <see cref="TakeFeatures"/>: those packed, less the non-finite ones.</summary>
    public int Featurized { get; private set; }

    /// <summary><see cref="Featurized"/> × the feature dimension, in the order of <see cref="Records"/>.</summary>
    public ReadOnlyMemory<float> Features { get; private set; }

    public void Reset()
    {
        Inference.Count = 0;
        Featurized = 0;
        Features = ReadOnlyMemory<float>.Empty;
        Rejects.Clear();
        RejectStamps.Clear();
    }

    /// <summary>
    /// Takes the last inference's output as the batch's rows, turning each image with a NaN or
    /// infinite feature into a reject: such a row has no class, so it would stop a stream's
    /// predictions and make training refuse the whole store, while it is one image's problem.
    /// </summary>
    public void TakeFeatures()
    {
        var all = Inference.AllFeatures;
        var dimension = Inference.FeatureDimension;
        var kept = 0;
        Span<float> finite = default;
        for (var row = 0; row < Count; row++)
        {
            var features = all.Span.Slice(row * dimension, dimension);
            var bad = IndexOfNonFinite(features);
            if (bad >= 0)
            {
                var record = Records[row];
                Rejects.Add(new Reject(
                    record.Path,
                    RejectStages.Features,
                    $"Feature {bad} of the model's output is {features[bad].ToString(CultureInfo.InvariantCulture)}; an image whose features are not finite cannot be classified or trained on."));
                RejectStamps.Add((record.FileBytes, record.FileModifiedUnixMs));
                if (finite.IsEmpty)
                {
                    _finiteFeatures ??= new float[Inference.Capacity * dimension];
                    finite = _finiteFeatures;
                    all.Span[..(row * dimension)].CopyTo(finite);
                }

                continue;
            }

            if (kept != row)
            {
                Records[kept] = Records[row];
                LandedAt[kept] = LandedAt[row];
                features.CopyTo(finite[(kept * dimension)..]);
            }

            kept++;
        }

        Featurized = kept;
        Features = kept == Count ? all : _finiteFeatures.AsMemory(0, kept * dimension);
    }

    private static int IndexOfNonFinite(ReadOnlySpan<float> features)
    {
        for (var i = 0; i < features.Length; i++)
        {
            if (!float.IsFinite(features[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
