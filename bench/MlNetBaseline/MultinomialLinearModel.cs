namespace MlNetBaseline;

/// <summary>
/// A trained multinomial model pulled out of ML.NET: <c>Weights[k*Dimension + j]</c> and one
/// bias per class, class k being label_index k. Evaluated in double so that the objective we
/// report does not inherit ML.NET's float32 rounding.
/// </summary>
internal sealed record MultinomialLinearModel(int Classes, int Dimension, float[] Weights, float[] Biases)
{
    /// <summary>Mean natural-log softmax cross-entropy over the rows of <paramref name="data"/>.</summary>
    public double MeanLogLoss(FeatureMatrix data)
    {
        var scores = new double[Classes];
        var sum = 0.0;
        for (var i = 0; i < data.Rows; i++)
        {
            Score(data.Row(i), scores);
            var max = scores.Max();
            var z = 0.0;
            foreach (var s in scores)
            {
                z += Math.Exp(s - max);
            }

            sum += max + Math.Log(z) - scores[data.Labels[i]];
        }
        return sum / data.Rows;
    }

    /// <summary>Share of rows whose highest score is their label (ties go to the lower index).</summary>
    public double Accuracy(FeatureMatrix data)
    {
        var scores = new double[Classes];
        var correct = 0;
        for (var i = 0; i < data.Rows; i++)
        {
            Score(data.Row(i), scores);
            var best = 0;
            for (var k = 1; k < Classes; k++)
            {
                if (scores[k] > scores[best])
                {
                    best = k;
                }
            }
            if (best == data.Labels[i])
            {
                correct++;
            }
        }
        return (double)correct / data.Rows;
    }

    /// <summary>
    /// J(W,b) = mean log-loss + λ(1−α)/2·‖W‖² + λα·‖W‖₁ with the intercepts unpenalised,
    /// our (and Spark's) objective; see <see cref="RegularisationMapping"/>.
    /// </summary>
    public double Objective(FeatureMatrix training, RegularisationMapping regularisation)
    {
        double squares = 0, absolutes = 0;
        foreach (var w in Weights)
        {
            squares += (double)w * w;
            absolutes += Math.Abs((double)w);
        }
        return MeanLogLoss(training)
            + regularisation.L2Coefficient / 2 * squares
            + regularisation.L1Coefficient * absolutes;
    }

    public int NonZeroWeights => Weights.Count(w => w != 0);

    private void Score(ReadOnlySpan<float> x, double[] scores)
    {
        for (var k = 0; k < Classes; k++)
        {
            var w = Weights.AsSpan(k * Dimension, Dimension);
            double s = Biases[k];
            for (var j = 0; j < Dimension; j++)
            {
                s += (double)w[j] * x[j];
            }

            scores[k] = s;
        }
    }
}
