namespace Pipeline.Training;

/// <summary>
/// A dense labelled matrix ready for training: <see cref="Features"/> is row-major
/// <see cref="Count"/> × <see cref="Dimension"/>, <see cref="Labels"/> holds class indices in
/// [0, <see cref="ClassCount"/>). Construction checks every value once so that the solvers can
/// assume finite input.
/// </summary>
/// <remarks>
/// From the feature store: <c>new TrainingSet(set.Features, set.LabelIndices, set.Dimension,
/// set.Classes.Count, set.Classes.Names)</c>. The arrays are not copied; do not mutate them while a
/// fit runs.
/// </remarks>
internal sealed class TrainingSet
{
    /// <exception cref="ArgumentException">Lengths disagree, the set is empty, a label is out of
    /// range or a feature is NaN or infinite (the message names the row and column).</exception>
    public TrainingSet(float[] features, int[] labels, int dimension, int classCount, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        if (dimension < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "dimension must be at least 1.");
        }

        if (classCount < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "classCount must be at least 2.");
        }

        if (labels.Length == 0)
        {
            throw new ArgumentException("The training set is empty: it has no rows.", nameof(labels));
        }

        if ((long)labels.Length * dimension != features.Length)
        {
            throw new ArgumentException(
                $"features has {features.Length} values but {labels.Length} labels × dimension {dimension} = {(long)labels.Length * dimension} were expected.",
                nameof(features));
        }

        if (classNames is not null && classNames.Count != classCount)
        {
            throw new ArgumentException($"classNames has {classNames.Count} names but classCount is {classCount}.", nameof(classNames));
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classCount)
            {
                throw new ArgumentException($"Label {labels[i]} in row {i} is outside [0, {classCount - 1}].", nameof(labels));
            }
        }

        for (var i = 0; i < features.Length; i++)
        {
            if (!float.IsFinite(features[i]))
            {
                throw new ArgumentException(
                    $"Feature in row {i / dimension}, column {i % dimension} is {features[i]}; features must be finite.",
                    nameof(features));
            }
        }

        Features = features;
        Labels = labels;
        Dimension = dimension;
        ClassCount = classCount;
        ClassNames = classNames;
    }

    /// <summary>Row-major values, <see cref="Count"/> × <see cref="Dimension"/>.</summary>
    public float[] Features { get; }

    /// <summary>Class index of each row.</summary>
    public int[] Labels { get; }

    public int Count => Labels.Length;

    public int Dimension { get; }

    public int ClassCount { get; }

    /// <summary>Class names in index order, when known; carried into the model.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    /// <summary>The features of one row.</summary>
    public ReadOnlySpan<float> Row(int row) => Features.AsSpan(row * Dimension, Dimension);

    /// <summary>A new set holding copies of <paramref name="rows"/>, in that order.</summary>
    public TrainingSet Select(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var features = new float[rows.Count * Dimension];
        var labels = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            Row(rows[i]).CopyTo(features.AsSpan(i * Dimension, Dimension));
            labels[i] = Labels[rows[i]];
        }

        return new TrainingSet(features, labels, Dimension, ClassCount, ClassNames);
    }

    /// <summary>Rows per class over <paramref name="rows"/> (all rows when null).</summary>
    internal int[] ClassCounts(IReadOnlyList<int>? rows = null)
    {
        var counts = new int[ClassCount];
        if (rows is null)
        {
            foreach (var label in Labels)
            {
                counts[label]++;
            }
        }
        else
        {
            foreach (var row in rows)
            {
                counts[Labels[row]]++;
            }
        }

        return counts;
    }
}
