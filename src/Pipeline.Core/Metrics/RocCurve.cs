namespace Pipeline.Metrics;

/// <summary>
/// The one-vs-rest ROC curve of one class, scored by that class's probability column, with the
/// points sklearn's <c>roc_curve</c> returns (default <c>drop_intermediate=True</c>).
/// </summary>
/// <param name="ClassIndex">The class treated as positive.</param>
/// <param name="ClassName">Its name.</param>
/// <param name="FalsePositiveRates">Increasing, from 0 to 1.</param>
/// <param name="TruePositiveRates">Non-decreasing, from 0 to 1.</param>
/// <param name="Thresholds">Decreasing; a sample is positive when its score ≥ the threshold. The
/// first is +∞ (nothing positive), where sklearn 1.2 writes max(score) + 1.</param>
/// <param name="Auc">Trapezoidal area under the points (sklearn's <c>roc_auc_score</c>).</param>
public sealed record RocCurve(
    int ClassIndex,
    string ClassName,
    IReadOnlyList<double> FalsePositiveRates,
    IReadOnlyList<double> TruePositiveRates,
    IReadOnlyList<double> Thresholds,
    double Auc)
{
    /// <summary>
    /// Builds the curve for <paramref name="classIndex"/>, or null when the class has no positives
    /// or no negatives in <paramref name="yTrue"/> (a rate would divide by zero).
    /// </summary>
    internal static RocCurve? Compute(
        ReadOnlySpan<int> yTrue, ReadOnlySpan<double> probabilities, IReadOnlyList<string> classNames, int classIndex)
    {
        var n = yTrue.Length;
        var k = classNames.Count;
        var scores = new double[n];
        var isPositive = new bool[n];
        var positives = 0;
        for (var i = 0; i < n; i++)
        {
            scores[i] = probabilities[i * k + classIndex];
            isPositive[i] = yTrue[i] == classIndex;
            positives += isPositive[i] ? 1 : 0;
        }

        if (positives == 0 || positives == n)
        {
            return null;
        }

        // Ascending sort, walked backwards = descending scores. The order inside a run of equal
        // scores does not matter: a point is emitted only after the whole run, which is how the
        // trapezoidal rule over distinct thresholds handles ties (the run becomes one diagonal step).
        Array.Sort(scores, isPositive);

        // sklearn's _binary_clf_curve: cumulative (fp, tp) at each distinct threshold.
        var fps = new List<double>();
        var tps = new List<double>();
        var thresholds = new List<double>();
        double tp = 0, fp = 0;
        for (var i = n - 1; i >= 0; i--)
        {
            if (isPositive[i])
            {
                tp++;
            }
            else
            {
                fp++;
            }

            if (i == 0 || scores[i - 1] != scores[i])
            {
                fps.Add(fp);
                tps.Add(tp);
                thresholds.Add(scores[i]);
            }
        }

        var kept = DropCollinearPoints(fps, tps);
        var negatives = n - positives;
        var fpr = new double[kept.Count + 1];
        var tpr = new double[kept.Count + 1];
        var thr = new double[kept.Count + 1];
        thr[0] = double.PositiveInfinity;
        for (var j = 0; j < kept.Count; j++)
        {
            fpr[j + 1] = fps[kept[j]] / negatives;
            tpr[j + 1] = tps[kept[j]] / positives;
            thr[j + 1] = thresholds[kept[j]];
        }

        var auc = 0.0;
        for (var j = 1; j < fpr.Length; j++)
        {
            auc += (fpr[j] - fpr[j - 1]) * (tpr[j] + tpr[j - 1]) / 2;
        }

        return new RocCurve(classIndex, classNames[classIndex], fpr, tpr, thr, auc);
    }

    /// <summary>
    /// sklearn's <c>drop_intermediate</c>: keeps the ends and every point where the second
    /// difference of fps or tps is non-zero, i.e. the corners. Collinear points add no area, so the
    /// AUC is unchanged, and a test set of thousands yields a curve of tens of points.
    /// </summary>
    private static List<int> DropCollinearPoints(List<double> fps, List<double> tps)
    {
        var kept = new List<int>(fps.Count);
        for (var j = 0; j < fps.Count; j++)
        {
            var corner = j == 0 || j == fps.Count - 1
                || fps[j + 1] - 2 * fps[j] + fps[j - 1] != 0
                || tps[j + 1] - 2 * tps[j] + tps[j - 1] != 0;
            if (corner)
            {
                kept.Add(j);
            }
        }

        return kept;
    }
}
