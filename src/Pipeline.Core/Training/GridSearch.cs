using Pipeline.Metrics;

namespace Pipeline.Training;

/// <summary>Chooses regParam, elasticNetParam and standardization by k-fold cross-validation, then refits on all rows.</summary>
internal static class GridSearch
{
    /// <summary>
    /// Fits every (grid point, fold) pair concurrently (at most
    /// <see cref="GridSearchOptions.MaxDegreeOfParallelism"/> at once), scores each on its held-out
    /// fold, picks the best mean (the first in grid order on ties) and refits it on
    /// <paramref name="data"/>. Folds standardise on their own training rows, as a Spark pipeline does.
    /// </summary>
    public static GridSearchResult Run(TrainingSet data, GridSearchOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var metric = options.Metric ?? SelectionMetricKind.F1.ToMetric();
        var folds = KFold.Split(data, options.Folds, options.Seed, options.Stratified);
        var grid = options.RegParams
            .SelectMany(r => options.ElasticNetParams.SelectMany(a => options.Standardizations.Select(s => options.BaseOptions with { RegParam = r, ElasticNetParam = a, Standardization = s })))
            .ToArray();
        var scores = grid.Select(_ => new double[folds.Count]).ToArray();
        var tasks = grid.Length * folds.Count;
        var concurrent = Math.Min(options.MaxDegreeOfParallelism, tasks);
        var innerDegree = Math.Max(1, options.MaxDegreeOfParallelism / concurrent);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrent, CancellationToken = cancellationToken };
        Parallel.For(0, tasks, parallel, task =>
        {
            var (point, fold) = Math.DivRem(task, folds.Count);
            var split = folds[fold];
            var model = new ElasticNetLogisticRegression(grid[point]).Fit(data, split.TrainRows, innerDegree, cancellationToken);
            scores[point][fold] = Score(model, data, split.TestRows, metric);
        });

        var points = new GridPointResult[grid.Length];
        for (var p = 0; p < grid.Length; p++)
        {
            var foldMetrics = scores[p];
            var mean = foldMetrics.Average();
            var variance = foldMetrics.Sum(m => (m - mean) * (m - mean)) / (foldMetrics.Length - 1);
            points[p] = new GridPointResult(grid[p], foldMetrics, mean, Math.Sqrt(variance));
        }

        var best = points[0];
        foreach (var point in points)
        {
            if (options.LargerIsBetter ? point.Mean > best.Mean : point.Mean < best.Mean)
            {
                best = point;
            }
        }

        var refit = new ElasticNetLogisticRegression(best.Options).Fit(data, null, options.MaxDegreeOfParallelism, cancellationToken);
        return new GridSearchResult(points, best, refit);
    }

    private static double Score(LogisticRegressionModel model, TrainingSet data, int[] rows, SelectionMetric metric)
    {
        var k = model.ClassCount;
        var actual = new int[rows.Length];
        var predicted = new int[rows.Length];
        var probabilities = new double[rows.Length * k];
        for (var i = 0; i < rows.Length; i++)
        {
            var p = probabilities.AsSpan(i * k, k);
            model.PredictProbabilities(data.Row(rows[i]), p);
            actual[i] = data.Labels[rows[i]];
            predicted[i] = MulticlassEvaluator.ArgMax(p);
        }

        return metric(actual, predicted, probabilities, k);
    }
}
