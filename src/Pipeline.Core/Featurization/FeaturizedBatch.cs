using Pipeline.Decoding;
using Pipeline.FeatureStore;

namespace Pipeline.Featurization;

/// <summary>
/// A read-only view of one finished batch, as <see cref="IFeaturizationSink"/>s see it: the images
/// that were featurized, with their features, and the ones that were rejected. A view over the
/// graph's pooled buffers, valid only while the sink call it was given to runs.
/// </summary>
internal readonly struct FeaturizedBatch
{
    public FeaturizedBatch(
        ReadOnlyMemory<FeatureRecord> records,
        ReadOnlyMemory<float> features,
        int dimension,
        IReadOnlyList<Reject> rejects,
        IReadOnlyList<(long Bytes, long ModifiedUnixMs)>? rejectStamps = null)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(features.Length, records.Length * dimension, nameof(features));
        if (rejectStamps is not null)
        {
            ArgumentOutOfRangeException.ThrowIfNotEqual(rejectStamps.Count, rejects.Count, nameof(rejectStamps));
        }

        Records = records;
        Features = features;
        Dimension = dimension;
        Rejects = rejects;
        RejectStamps = rejectStamps;
    }

    /// <summary>The featurized images' scalar columns, in the batch's order.</summary>
    public ReadOnlyMemory<FeatureRecord> Records { get; }

    /// <summary><see cref="Count"/> × <see cref="Dimension"/> features, row-major, in the order of <see cref="Records"/>.</summary>
    public ReadOnlyMemory<float> Features { get; }

    /// <summary>Length of every feature vector.</summary>
    public int Dimension { get; }

    /// <summary>Images of the batch that could not be featurized, in the order they were decoded.</summary>
    public IReadOnlyList<Reject> Rejects { get; }

    /// <summary>Each reject's file size and mtime when the source yielded it, in the order of <see cref="Rejects"/>; null when unknown.</summary>
    public IReadOnlyList<(long Bytes, long ModifiedUnixMs)>? RejectStamps { get; }

    /// <summary>Featurized images in the batch (rejects not counted).</summary>
    public int Count => Records.Length;

    /// <summary>The feature vector of row <paramref name="row"/>.</summary>
    public ReadOnlySpan<float> GetFeatures(int row) => Features.Span.Slice(row * Dimension, Dimension);
}
