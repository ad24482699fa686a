using Pipeline.Sources;

namespace Pipeline.FeatureStore;

/// <summary>
/// A feature store in memory as flat arrays: the training matrix (<see cref="Count"/> ×
/// <see cref="Dimension"/>, row-major) with each row's label, path and class list.
/// </summary>
public sealed class FeatureSet
{
    internal FeatureSet(FeatureStoreMetadata metadata, ClassList classes, float[] features, int[] labelIndices, string[] paths, string[] labels)
    {
        Metadata = metadata;
        Classes = classes;
        Features = features;
        LabelIndices = labelIndices;
        Paths = paths;
        Labels = labels;
    }

    public int Count => Paths.Length;

    public int Dimension => Metadata.Dimension;

    /// <summary>Row-major <see cref="Count"/> × <see cref="Dimension"/> features.</summary>
    public float[] Features { get; }

    /// <summary>Each row's index into <see cref="Classes"/>.</summary>
    public int[] LabelIndices { get; }

    public string[] Paths { get; }

    public string[] Labels { get; }

    public ClassList Classes { get; }

    public FeatureStoreMetadata Metadata { get; }

    /// <summary>The feature vector of one row.</summary>
    public ReadOnlySpan<float> GetFeatures(int row) => Features.AsSpan(row * Dimension, Dimension);

    /// <summary>A copy holding the given rows in the given order (for train/test splits).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A row index is outside [0, Count).</exception>
    public FeatureSet Subset(int[] rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var dimension = Dimension;
        var features = GC.AllocateUninitializedArray<float>(rows.Length * dimension);
        var labelIndices = new int[rows.Length];
        var paths = new string[rows.Length];
        var labels = new string[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            var row = rows[i];
            if ((uint)row >= (uint)Count)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"Row index {row} at position {i} is outside the feature set's {Count} rows.");
            }

            Features.AsSpan(row * dimension, dimension).CopyTo(features.AsSpan(i * dimension));
            labelIndices[i] = LabelIndices[row];
            paths[i] = Paths[row];
            labels[i] = Labels[row];
        }

        return new FeatureSet(Metadata, Classes, features, labelIndices, paths, labels);
    }

    /// <summary>
    /// A copy holding, for every row, the given column ranges one after another, described by
    /// <paramref name="metadata"/> (whose dimension is their total length).
    /// </summary>
    /// <exception cref="ArgumentException">A range lies outside the rows, or the lengths do not add up to the metadata's dimension.</exception>
    internal FeatureSet SelectColumns(IReadOnlyList<(int Start, int Length)> ranges, FeatureStoreMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(ranges);
        ArgumentNullException.ThrowIfNull(metadata);
        if (ranges.Any(r => r.Start < 0 || r.Length < 1 || r.Start + r.Length > Dimension) || ranges.Sum(r => r.Length) != metadata.Dimension)
        {
            throw new ArgumentException($"Column ranges [{string.Join(", ", ranges)}] do not give {metadata.Dimension} columns of a {Dimension}-column set.", nameof(ranges));
        }

        var dimension = metadata.Dimension;
        var features = GC.AllocateUninitializedArray<float>(Count * dimension);
        for (var row = 0; row < Count; row++)
        {
            var source = GetFeatures(row);
            var target = features.AsSpan(row * dimension, dimension);
            foreach (var (start, length) in ranges)
            {
                source.Slice(start, length).CopyTo(target);
                target = target[length..];
            }
        }

        return new FeatureSet(metadata, Classes, features, LabelIndices, Paths, Labels);
    }
}
