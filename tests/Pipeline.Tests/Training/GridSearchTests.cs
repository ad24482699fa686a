using Pipeline.Training;

namespace Pipeline.Tests.Training;

public sealed class GridSearchTests
{
    [Fact]
    public void Run_ToyProblem_PicksWeakPenaltyAndRefitsOnAllRows()
    {
        var data = SyntheticData.Blobs(240, 4, 3, 2, seed: 31);
        var options = new GridSearchOptions
        {
            RegParams = [10.0, 1e-3],
            ElasticNetParams = [0.0, 1.0],
            Folds = 3,
            Seed = 9,
        };

        var result = GridSearch.Run(data, options);

        // regParam 10 with pure L1 zeroes every coefficient and predicts one class for every row
        // (weighted F1 ≈ 1/3 · 1/2 = 0.17); the separable blobs score ≈ 0.9 with a weak penalty.
        Assert.Equal(4, result.Points.Count);
        Assert.Equal(1e-3, result.Best.RegParam);
        Assert.InRange(result.Best.Mean, 0.8, 1.0);
        Assert.InRange(result.Points[1].Mean, 0.0, 0.3);
        Assert.All(result.Points, p => Assert.Equal(3, p.FoldMetrics.Length));
        var expectedStd = Math.Sqrt(result.Best.FoldMetrics.Sum(m => Math.Pow(m - result.Best.Mean, 2)) / 2);
        Assert.Equal(expectedStd, result.Best.StandardDeviation, 1e-12);
        var direct = new ElasticNetLogisticRegression(result.Best.Options).Fit(data);
        Assert.Equal(direct.Coefficients, result.Model.Coefficients);
    }

    [Fact]
    public void Run_StandardizationAxis_FitsEveryPointBothWaysAndChoosesByCrossValidation()
    {
        // One feature is scaled by 1000: without standardization its penalty is 10^6 times weaker
        // than the others', so the two ways give different fits and different scores.
        var data = SyntheticData.Blobs(180, 3, 3, 2, seed: 33);
        var scaled = data.Features.ToArray();
        for (var row = 0; row < data.Count; row++)
        {
            scaled[row * data.Dimension] *= 1000;
        }

        var skewed = new TrainingSet(scaled, data.Labels, data.Dimension, data.ClassCount);
        var options = new GridSearchOptions { RegParams = [0.1, 1.0], ElasticNetParams = [0.0], Standardizations = [true, false], Folds = 3, Seed = 4 };

        var result = GridSearch.Run(skewed, options);

        Assert.Equal([(0.1, true), (0.1, false), (1.0, true), (1.0, false)], result.Points.Select(p => (p.RegParam, p.Standardization)));
        Assert.Equal(result.Points.MaxBy(p => p.Mean), result.Best);
        Assert.NotEqual(result.Points[0].Mean, result.Points[1].Mean);
        var alone = GridSearch.Run(skewed, options with { Standardizations = [false] });
        Assert.Equal(result.Points[1].FoldMetrics, alone.Points[0].FoldMetrics);
        Assert.Equal(new ElasticNetLogisticRegression(result.Best.Options).Fit(skewed).Coefficients, result.Model.Coefficients);
    }

    [Fact]
    public void Run_SmallerIsBetterMetric_PicksTheMinimum()
    {
        var data = SyntheticData.Blobs(120, 3, 3, 2, seed: 32);
        var options = new GridSearchOptions
        {
            RegParams = [1e-3, 10.0],
            Metric = (actual, predicted, _, _) => actual.Zip(predicted).Count(p => p.First != p.Second) / (double)actual.Length,
            LargerIsBetter = false,
        };

        var result = GridSearch.Run(data, options);

        Assert.Equal(1e-3, result.Best.RegParam);
        Assert.True(result.Best.Mean < result.Points[1].Mean);
    }

    [Fact]
    public void F1Metric_HandComputedExample_MatchesSparkFormula()
    {
        // Class 0: tp 2 of 3 true, 2 predicted → P 1, R 2/3, F 0.8. Class 1: tp 1 of 1 true, 2 predicted → P 0.5, R 1, F 2/3.
        // Class 2 never occurs and carries no weight.
        int[] actual = [0, 0, 0, 1];
        int[] predicted = [0, 0, 1, 1];
        double[] probabilities = [.. predicted.SelectMany(p => Enumerable.Range(0, 3).Select(c => c == p ? 0.8 : 0.1))];

        var f1 = SelectionMetricKind.F1.ToMetric()(actual, predicted, probabilities, 3);

        Assert.Equal((0.8 * 3 + 2.0 / 3 * 1) / 4, f1, 1e-15);
    }
}
