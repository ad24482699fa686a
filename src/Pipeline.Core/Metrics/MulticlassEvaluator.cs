namespace Pipeline.Metrics;

/// <summary>
/// Scores predicted class probabilities against true labels, the way Spark's
/// MulticlassClassificationEvaluator (and, for the report rows, scikit-learn) does.
/// </summary>
/// <remarks>
/// The predicted label of a row is the argmax of its probabilities, ties going to the lowest
/// index (Spark's <c>Vector.argmax</c>, numpy's <c>argmax</c>). Every ratio with a zero
/// denominator is 0. Per-class values are verified against sklearn 1.2.1 to 1e-9 by the fixtures
/// that <c>scripts/make_evaluation_oracle.py</c> writes.
/// </remarks>
internal static class MulticlassEvaluator
{
    /// <summary>Spark's and sklearn 1.2's clipping bound for probabilities in the log loss.</summary>
    public const double LogLossEpsilon = 1e-15;

    /// <summary>Evaluates one test set.</summary>
    /// <param name="yTrue">True class index of each sample, in [0, K).</param>
    /// <param name="probabilities">N × K row-major class probabilities; each row should sum to 1.</param>
    /// <param name="classNames">The K distinct class names, in index order.</param>
    /// <exception cref="ArgumentException">Shapes disagree, a label is out of range, a probability
    /// is negative or not finite, or class names repeat.</exception>
    public static MulticlassEvaluation Evaluate(
        ReadOnlySpan<int> yTrue, ReadOnlySpan<double> probabilities, IReadOnlyList<string> classNames)
    {
        Validate(yTrue, probabilities, classNames);
        var n = yTrue.Length;
        var k = classNames.Count;
        var names = classNames.ToArray();

        var counts = new int[k * k];
        var logLoss = 0.0;
        for (var i = 0; i < n; i++)
        {
            var row = probabilities.Slice(i * k, k);
            counts[yTrue[i] * k + ArgMax(row)]++;
            logLoss -= Math.Log(Math.Clamp(row[yTrue[i]], LogLossEpsilon, 1 - LogLossEpsilon));
        }

        var matrix = new ConfusionMatrix(names, counts);
        var curves = new List<RocCurve>(k);
        var perClass = new ClassMetrics[k];
        double correct = 0, macroP = 0, macroR = 0, macroF = 0, weightedP = 0, weightedR = 0, weightedF = 0;
        for (var c = 0; c < k; c++)
        {
            var tp = matrix[c, c];
            var support = matrix.RowTotal(c);
            var predicted = matrix.ColumnTotal(c);
            var precision = predicted == 0 ? 0.0 : (double)tp / predicted;
            var recall = support == 0 ? 0.0 : (double)tp / support;
            var f1 = precision + recall == 0 ? 0.0 : 2 * precision * recall / (precision + recall);
            var curve = RocCurve.Compute(yTrue, probabilities, names, c);
            if (curve is not null)
            {
                curves.Add(curve);
            }

            perClass[c] = new ClassMetrics(names[c], precision, recall, f1, support, curve?.Auc);
            correct += tp;
            macroP += precision;
            macroR += recall;
            macroF += f1;
            weightedP += precision * support;
            weightedR += recall * support;
            weightedF += f1 * support;
        }

        return new MulticlassEvaluation(
            ClassNames: names,
            SampleCount: n,
            Accuracy: correct / n,
            LogLoss: logLoss / n,
            MacroRocAuc: curves.Count == 0 ? null : curves.Average(c => c.Auc),
            PerClass: perClass,
            MacroAverage: new AveragedMetrics(macroP / k, macroR / k, macroF / k, n),
            WeightedAverage: new AveragedMetrics(weightedP / n, weightedR / n, weightedF / n, n),
            ConfusionMatrix: matrix,
            RocCurves: curves);
    }

    /// <summary>Index of the largest value, the lowest index among equals.</summary>
    internal static int ArgMax(ReadOnlySpan<double> row)
    {
        var best = 0;
        for (var j = 1; j < row.Length; j++)
        {
            if (row[j] > row[best])
            {
                best = j;
            }
        }

        return best;
    }

    private static void Validate(ReadOnlySpan<int> yTrue, ReadOnlySpan<double> probabilities, IReadOnlyList<string> classNames)
    {
        ArgumentNullException.ThrowIfNull(classNames);
        var k = classNames.Count;
        if (k < 2)
        {
            throw new ArgumentException($"classNames has {k} entries; evaluation needs at least 2 classes.", nameof(classNames));
        }

        if (classNames.Distinct(StringComparer.Ordinal).Count() != k)
        {
            throw new ArgumentException("classNames contains a name twice; class names must be distinct.", nameof(classNames));
        }

        if (yTrue.IsEmpty)
        {
            throw new ArgumentException("yTrue is empty; evaluation needs at least one sample.", nameof(yTrue));
        }

        if (probabilities.Length != (long)yTrue.Length * k)
        {
            throw new ArgumentException(
                $"probabilities has {probabilities.Length} values; expected {yTrue.Length} samples × {k} classes = {(long)yTrue.Length * k}.",
                nameof(probabilities));
        }

        for (var i = 0; i < yTrue.Length; i++)
        {
            if ((uint)yTrue[i] >= (uint)k)
            {
                throw new ArgumentException($"yTrue[{i}] = {yTrue[i]} is outside the class range [0, {k}).", nameof(yTrue));
            }
        }

        for (var i = 0; i < probabilities.Length; i++)
        {
            if (!double.IsFinite(probabilities[i]) || probabilities[i] < 0)
            {
                throw new ArgumentException(
                    $"probabilities[{i}] (sample {i / k}, class {i % k}) = {probabilities[i]}; probabilities must be finite and ≥ 0.",
                    nameof(probabilities));
            }
        }
    }
}
