namespace Pipeline.Training;

/// <summary>
/// Per-feature mean and sample standard deviation (n − 1 denominator, as Spark's
/// <c>Summarizer</c> reports it) and the scaled float copy the loss runs on.
/// </summary>
internal sealed class FeatureStandardizer
{
    private FeatureStandardizer(double[] means, double[] standardDeviations)
    {
        Means = means;
        StandardDeviations = standardDeviations;
    }

    public double[] Means { get; }

    /// <summary>0 for constant features (and for every feature of a single row).</summary>
    public double[] StandardDeviations { get; }

    public static FeatureStandardizer Compute(TrainingSet data, IReadOnlyList<int>? rows)
    {
        var d = data.Dimension;
        var n = rows?.Count ?? data.Count;
        var means = new double[d];
        for (var i = 0; i < n; i++)
        {
            var row = data.Row(rows?[i] ?? i);
            for (var j = 0; j < d; j++)
            {
                means[j] += row[j];
            }
        }

        for (var j = 0; j < d; j++)
        {
            means[j] /= n;
        }

        // Two passes: the one-pass Σx² − n·μ² form loses every digit on features with a large mean.
        var deviations = new double[d];
        for (var i = 0; i < n; i++)
        {
            var row = data.Row(rows?[i] ?? i);
            for (var j = 0; j < d; j++)
            {
                var delta = row[j] - means[j];
                deviations[j] += delta * delta;
            }
        }

        for (var j = 0; j < d; j++)
        {
            deviations[j] = n > 1 ? Math.Sqrt(deviations[j] / (n - 1)) : 0;
        }

        return new FeatureStandardizer(means, deviations);
    }

    /// <summary>(x − μ)/σ when <paramref name="center"/>, else x/σ; 0 where σ = 0.</summary>
    public float[] Transform(TrainingSet data, IReadOnlyList<int>? rows, bool center)
    {
        var d = data.Dimension;
        var n = rows?.Count ?? data.Count;
        var scaled = new float[n * d];
        var inverse = new double[d];
        var offset = new double[d];
        for (var j = 0; j < d; j++)
        {
            inverse[j] = StandardDeviations[j] == 0 ? 0 : 1 / StandardDeviations[j];
            offset[j] = center ? Means[j] : 0;
        }

        Parallel.For(0, n, i =>
        {
            var row = data.Row(rows?[i] ?? i);
            var target = scaled.AsSpan(i * d, d);
            for (var j = 0; j < d; j++)
            {
                target[j] = (float)((row[j] - offset[j]) * inverse[j]);
            }
        });
        return scaled;
    }
}
