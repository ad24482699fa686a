using Pipeline.Training;

namespace Pipeline.Tests.Training;

public sealed class ElasticNetLogisticRegressionTests
{
    [Fact]
    public void Options_Defaults_AreSparks()
    {
        var options = new LogisticRegressionOptions();

        Assert.Equal(100, options.MaxIter);
        Assert.Equal(0.0, options.RegParam);
        Assert.Equal(0.0, options.ElasticNetParam);
        Assert.Equal(1e-6, options.Tol);
        Assert.True(options.FitIntercept);
        Assert.True(options.Standardization);
    }

    [Theory]
    [InlineData("elasticNetParam", "elasticNetParam must be in [0, 1]")]
    [InlineData("regParam", "regParam must be a finite number >= 0")]
    [InlineData("maxIter", "maxIter must be >= 0")]
    [InlineData("tol", "tol must be a finite number >= 0")]
    public void Options_OutOfRange_ThrowsNamingTheParameter(string parameter, string message)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => parameter switch
        {
            "elasticNetParam" => new LogisticRegressionOptions { ElasticNetParam = 1.5 },
            "regParam" => new LogisticRegressionOptions { RegParam = double.NaN },
            "maxIter" => new LogisticRegressionOptions { MaxIter = -1 },
            _ => new LogisticRegressionOptions { Tol = -1 },
        });

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void Fit_SingleClassPresent_ThrowsNamingTheClass()
    {
        var data = new TrainingSet([1f, 2f, 3f], [1, 1, 1], 1, 3, ["a", "b", "c"]);

        var error = Assert.Throws<ArgumentException>(() => new ElasticNetLogisticRegression().Fit(data));

        Assert.Contains("single class ('b', index 1)", error.Message);
    }

    [Fact]
    public void Fit_DefaultOptions_InterceptsSumToZeroAndUnpenalisedCoefficientsAreClassCentred()
    {
        var data = SyntheticData.Blobs(200, 5, 3, 1.5, seed: 1);

        var model = new ElasticNetLogisticRegression().Fit(data);

        Assert.Equal(0.0, model.Intercepts.Sum(), 1e-12);
        for (var j = 0; j < 5; j++)
        {
            Assert.Equal(0.0, model.Coefficients[j] + model.Coefficients[5 + j] + model.Coefficients[10 + j], 1e-12);
        }

        Assert.True(model.Summary!.Iterations <= 100);
        Assert.Equal(new LogisticRegressionOptions(), model.Summary.Options);
    }

    [Fact]
    public void Fit_ConstantFeature_GetsZeroCoefficient()
    {
        var blobs = SyntheticData.Blobs(120, 3, 3, 2, seed: 2);
        var features = (float[])blobs.Features.Clone();
        for (var i = 0; i < blobs.Count; i++)
        {
            features[i * 3 + 2] = 7f;
        }

        var model = new ElasticNetLogisticRegression(new LogisticRegressionOptions { RegParam = 0.01 })
            .Fit(new TrainingSet(features, blobs.Labels, 3, 3));

        Assert.All(Enumerable.Range(0, 3), c => Assert.Equal(0.0, model.Coefficients[c * 3 + 2]));
        Assert.Contains(model.Coefficients, v => v != 0);
    }

    [Fact]
    public void Fit_MaxIterZero_ReturnsSparkInitialisation()
    {
        var labels = Enumerable.Repeat(0, 10).Concat(Enumerable.Repeat(1, 30)).ToArray();
        var data = SyntheticData.Blobs(40, 2, 2, 1, seed: 3, labels);

        var model = new ElasticNetLogisticRegression(new LogisticRegressionOptions { MaxIter = 0 }).Fit(data);

        // log(count + 1) centred: ±(log 31 − log 11)/2; coefficients stay 0.
        Assert.Equal((Math.Log(11) - Math.Log(31)) / 2, model.Intercepts[0], 1e-12);
        Assert.All(model.Coefficients, v => Assert.Equal(0.0, v));
        Assert.Equal(StopReason.MaxIterations, model.Summary!.StopReason);
        Assert.Single(model.Summary.ObjectiveHistory);
    }

    [Fact]
    public void Fit_StrongL1_ProducesExactZeros()
    {
        var data = SyntheticData.Blobs(300, 10, 3, 1.5, seed: 4);

        var model = new ElasticNetLogisticRegression(new LogisticRegressionOptions { RegParam = 0.1, ElasticNetParam = 1 }).Fit(data);

        // Only features 0..2 carry signal; L1 at this strength removes most of the rest.
        Assert.True(model.Coefficients.Count(v => v == 0) >= 15, string.Join(", ", model.Coefficients));
        Assert.Contains(model.Coefficients, v => v != 0);
    }

    [Fact]
    public void Fit_PureL2_OwlQnWithZeroL1WeightsAgreesWithLbfgs()
    {
        var data = SyntheticData.Blobs(300, 6, 3, 1.5, seed: 5);
        var loss = new MultinomialLogisticLoss(
            data.Features, data.Labels, 6, 3, fitIntercept: true, Enumerable.Repeat(0.05, 6).ToArray(), maxDegreeOfParallelism: 1);
        var start = new double[loss.Dimension];
        var solver = new QuasiNewtonMinimizer(1000, 1e-12);

        var lbfgs = solver.Minimize(loss, start, l1Weights: null, CancellationToken.None);
        var owlqn = solver.Minimize(loss, start, new double[loss.Dimension], CancellationToken.None);

        Assert.Equal(lbfgs.ObjectiveHistory[^1], owlqn.ObjectiveHistory[^1], 1e-10);
        for (var i = 0; i < loss.Dimension; i++)
        {
            Assert.Equal(lbfgs.Solution[i], owlqn.Solution[i], 1e-5);
        }
    }

    [Fact]
    public void Fit_SameDataDifferentParallelism_IdenticalCoefficients()
    {
        var data = SyntheticData.Blobs(3000, 8, 4, 1, seed: 6);
        var trainer = new ElasticNetLogisticRegression(new LogisticRegressionOptions { RegParam = 0.01, ElasticNetParam = 0.5 });

        var serial = trainer.Fit(data, null, maxDegreeOfParallelism: 1, CancellationToken.None);
        var parallel = trainer.Fit(data, null, maxDegreeOfParallelism: 4, CancellationToken.None);

        Assert.Equal(serial.Coefficients, parallel.Coefficients);
        Assert.Equal(serial.Intercepts, parallel.Intercepts);
    }

    [Fact]
    public void Fit_CancelledToken_Throws()
    {
        var data = SyntheticData.Blobs(100, 3, 3, 1, seed: 7);
        using var cancellation = new CancellationTokenSource();
        cancellation.Cancel();

        Assert.Throws<OperationCanceledException>(() => new ElasticNetLogisticRegression().Fit(data, cancellation.Token));
    }
}
