namespace Pipeline.Metrics;

/// <summary>
/// Counts of (true class, predicted class) pairs: rows are true classes, columns predicted ones,
/// both in class-index order.
/// </summary>
public sealed class ConfusionMatrix
{
    private readonly int[] _counts;
    private readonly int[] _rowTotals;
    private readonly int[] _columnTotals;

    internal ConfusionMatrix(IReadOnlyList<string> classNames, int[] counts)
    {
        var k = classNames.Count;
        ClassNames = classNames;
        _counts = counts;
        _rowTotals = new int[k];
        _columnTotals = new int[k];
        for (var t = 0; t < k; t++)
        {
            for (var p = 0; p < k; p++)
            {
                _rowTotals[t] += counts[t * k + p];
                _columnTotals[p] += counts[t * k + p];
            }
        }
    }

    public IReadOnlyList<string> ClassNames { get; }

    public int ClassCount => ClassNames.Count;

    /// <summary>How many samples of class <paramref name="trueClass"/> were predicted as <paramref name="predictedClass"/>.</summary>
    public int this[int trueClass, int predictedClass] => _counts[trueClass * ClassCount + predictedClass];

    /// <summary>The support of <paramref name="trueClass"/>.</summary>
    public int RowTotal(int trueClass) => _rowTotals[trueClass];

    /// <summary>How many samples were predicted as <paramref name="predictedClass"/>.</summary>
    public int ColumnTotal(int predictedClass) => _columnTotals[predictedClass];

    /// <summary>
    /// The cell divided by its row total (sklearn's <c>normalize="true"</c>); 0 for a class absent
    /// from the true labels, where sklearn would give NaN, so that the matrix stays plottable.
    /// </summary>
    public double RowFraction(int trueClass, int predictedClass)
    {
        var total = _rowTotals[trueClass];
        return total == 0 ? 0.0 : (double)this[trueClass, predictedClass] / total;
    }
}
