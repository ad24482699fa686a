using Pipeline.Training;

namespace Pipeline.Tests.Training;

public sealed class LogisticRegressionModelTests
{
    [Fact]
    public void ToJson_FromJson_RoundTripsEveryDoubleExactly()
    {
        var data = SyntheticData.Blobs(150, 4, 3, 1.5, seed: 11);
        var withNames = new TrainingSet(data.Features, data.Labels, 4, 3, ["cat", "dog", "emu"]);
        var model = new ElasticNetLogisticRegression(new LogisticRegressionOptions { RegParam = 0.01 }).Fit(withNames);

        var restored = LogisticRegressionModel.FromJson(model.ToJson());

        Assert.Equal(model.Coefficients, restored.Coefficients);
        Assert.Equal(model.Intercepts, restored.Intercepts);
        Assert.Equal(["cat", "dog", "emu"], restored.ClassNames!);
        Assert.Equal(4, restored.FeatureCount);
        Assert.Null(restored.Summary);
    }

    [Fact]
    public void FromJson_WrongCoefficientCount_Throws()
    {
        const string json = """{"classCount":2,"featureCount":3,"classNames":null,"coefficients":[1,2],"intercepts":[0,0]}""";

        var error = Assert.Throws<ArgumentException>(() => LogisticRegressionModel.FromJson(json));

        Assert.Contains("coefficients must hold classCount × featureCount = 6 values", error.Message);
    }

    [Fact]
    public void PredictProbabilities_HugeMargins_StaysFiniteAndSumsToOne()
    {
        var model = LogisticRegressionModel.FromDto(new LogisticRegressionModelDto(3, 1, null, [1000, 999, -1000], [0, 0, 0]));
        Span<double> p = stackalloc double[3];

        model.PredictProbabilities([1f], p);

        Assert.Equal(1 / (1 + Math.Exp(-1)), p[0], 1e-12);
        Assert.Equal(1.0, p[0] + p[1] + p[2], 1e-12);
        Assert.Equal(0, model.Predict([1f]));
        Assert.Equal(2, model.Predict([-1f]));
    }
}
