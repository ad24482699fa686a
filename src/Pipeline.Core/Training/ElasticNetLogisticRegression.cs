using System.Diagnostics;

namespace Pipeline.Training;

/// <summary>
/// Multinomial (softmax) logistic regression with elastic-net regularisation, trained like Spark
/// MLlib's <c>LogisticRegression</c> with <c>family = "multinomial"</c>: same objective, feature
/// scaling, initialisation, solvers, stopping rules and post-processing. See
/// <see cref="LogisticRegressionOptions"/> for the objective.
/// </summary>
internal sealed class ElasticNetLogisticRegression
{
    public ElasticNetLogisticRegression(LogisticRegressionOptions? options = null)
    {
        Options = options ?? LogisticRegressionOptions.Default;
    }

    public LogisticRegressionOptions Options { get; }

    /// <summary>Trains on every row of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">The labels contain fewer than two distinct classes.</exception>
    public LogisticRegressionModel Fit(TrainingSet data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Fit(data, null, Environment.ProcessorCount, cancellationToken);
    }

    /// <summary>Trains on <paramref name="rows"/> of <paramref name="data"/> (all when null) without copying the raw rows.</summary>
    internal LogisticRegressionModel Fit(TrainingSet data, IReadOnlyList<int>? rows, int maxDegreeOfParallelism, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var n = rows?.Count ?? data.Count;
        if (n == 0)
        {
            throw new ArgumentException("The training set is empty: it has no rows.", nameof(rows));
        }

        var d = data.Dimension;
        var k = data.ClassCount;
        var counts = data.ClassCounts(rows);
        var present = counts.Count(c => c > 0);
        if (present < 2)
        {
            var only = Array.FindIndex(counts, c => c > 0);
            throw new ArgumentException(
                $"The training labels contain a single class ({ClassName(data, only)}); at least two classes are required.", nameof(data));
        }

        var standardizer = FeatureStandardizer.Compute(data, rows);
        var scaled = standardizer.Transform(data, rows, center: Options.FitIntercept);
        var labels = new int[n];
        for (var i = 0; i < n; i++)
        {
            labels[i] = data.Labels[rows?[i] ?? i];
        }

        // Penalty weights in the scaled space. With standardization off, dividing by σ (L1) and σ²
        // (L2) moves the penalty back onto the original-scale coefficients β = β'/σ, as Spark does.
        var l2PerFeature = new double[d];
        var l1PerFeature = new double[d];
        for (var j = 0; j < d; j++)
        {
            var sigma = standardizer.StandardDeviations[j];
            if (sigma == 0)
            {
                continue;
            }

            l2PerFeature[j] = Options.Standardization ? Options.L2Strength : Options.L2Strength / (sigma * sigma);
            l1PerFeature[j] = Options.Standardization ? Options.L1Strength : Options.L1Strength / sigma;
        }

        var loss = new MultinomialLogisticLoss(scaled, labels, d, k, Options.FitIntercept, l2PerFeature, maxDegreeOfParallelism);
        var start = new double[loss.Dimension];
        if (Options.FitIntercept)
        {
            // Spark: intercepts start at log(count_k + 1), centred; the coefficients at zero.
            var mean = counts.Average(c => Math.Log(c + 1.0));
            for (var c = 0; c < k; c++)
            {
                start[k * d + c] = Math.Log(counts[c] + 1.0) - mean;
            }
        }

        double[]? l1Weights = null;
        if (Options.L1Strength > 0)
        {
            l1Weights = new double[loss.Dimension];
            for (var c = 0; c < k; c++)
            {
                l1PerFeature.CopyTo(l1Weights, c * d);
            }
        }

        var solver = new QuasiNewtonMinimizer(Options.MaxIter, Options.Tol);
        var result = solver.Minimize(loss, start, l1Weights, cancellationToken);

        var coefficients = new double[k * d];
        var intercepts = new double[k];
        for (var c = 0; c < k; c++)
        {
            var intercept = Options.FitIntercept ? result.Solution[k * d + c] : 0.0;
            for (var j = 0; j < d; j++)
            {
                var sigma = standardizer.StandardDeviations[j];
                var beta = sigma == 0 ? 0.0 : result.Solution[c * d + j] / sigma;
                coefficients[c * d + j] = beta;
                if (Options.FitIntercept)
                {
                    intercept -= beta * standardizer.Means[j];
                }
            }

            intercepts[c] = intercept;
        }

        if (Options.RegParam == 0)
        {
            // Without a penalty the softmax is invariant to adding a vector to every class's
            // coefficients; Spark (after glmnet) reports the class-centred solution.
            for (var j = 0; j < d; j++)
            {
                var mean = 0.0;
                for (var c = 0; c < k; c++)
                {
                    mean += coefficients[c * d + j];
                }

                mean /= k;
                for (var c = 0; c < k; c++)
                {
                    coefficients[c * d + j] -= mean;
                }
            }
        }

        if (Options.FitIntercept)
        {
            var mean = intercepts.Average();
            for (var c = 0; c < k; c++)
            {
                intercepts[c] -= mean;
            }
        }

        var summary = new TrainingSummary(result.ObjectiveHistory, result.StopReason, clock.Elapsed.TotalSeconds, Options);
        return new LogisticRegressionModel(coefficients, intercepts, d, k, data.ClassNames, summary);
    }

    private static string ClassName(TrainingSet data, int index) =>
        data.ClassNames is { } names ? $"'{names[index]}', index {index}" : $"index {index}";
}
