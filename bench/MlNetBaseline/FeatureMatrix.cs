namespace MlNetBaseline;

/// <summary>
/// A feature store held in memory: row-major <c>Features[i*Dimension + j]</c>, one label index
/// per row. Dense float32, as the store writes it, so ML.NET and our trainer see the same numbers.
/// <see cref="Paths"/> (the store's <c>path</c> column) is read only when a command needs it.
/// </summary>
internal sealed record FeatureMatrix(
    int Rows, int Dimension, float[] Features, int[] Labels, IReadOnlyDictionary<int, string> LabelNames,
    IReadOnlyList<string>? Paths = null)
{
    public ReadOnlySpan<float> Row(int i) => Features.AsSpan(i * Dimension, Dimension);

    /// <summary>The rows at <paramref name="indices"/>, in that order.</summary>
    public FeatureMatrix Select(IReadOnlyList<int> indices)
    {
        var features = new float[indices.Count * Dimension];
        var labels = new int[indices.Count];
        for (var k = 0; k < indices.Count; k++)
        {
            Row(indices[k]).CopyTo(features.AsSpan(k * Dimension, Dimension));
            labels[k] = Labels[indices[k]];
        }
        return new FeatureMatrix(indices.Count, Dimension, features, labels, LabelNames, Paths is null ? null : indices.Select(i => Paths[i]).ToArray());
    }
}
