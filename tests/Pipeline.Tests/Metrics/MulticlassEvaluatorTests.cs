using System.Text.Json;
using Pipeline.Metrics;

namespace Pipeline.Tests.Metrics;

public sealed class MulticlassEvaluatorTests
{
    // Everything below is a short sum of ratios of small integers (or of logs), so agreement with
    // sklearn is limited only by summation order: 1e-9 leaves six orders of magnitude of slack.
    private const double Tolerance = 1e-9;

    public static TheoryData<string> Cases => new(SklearnOracleCase.Names);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_SklearnFixture_AccuracyAndLogLossMatch(string name)
    {
        var oracle = SklearnOracleCase.Load(name);

        var result = MulticlassEvaluator.Evaluate(oracle.YTrue, oracle.Probabilities, oracle.ClassNames);

        Assert.Equal(oracle.YTrue.Length, result.SampleCount);
        Assert.Equal(oracle.Expected.GetProperty("accuracy").GetDouble(), result.Accuracy, Tolerance);
        Assert.Equal(oracle.Expected.GetProperty("logLoss").GetDouble(), result.LogLoss, Tolerance);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_SklearnFixture_PerClassReportMatches(string name)
    {
        var oracle = SklearnOracleCase.Load(name);

        var result = MulticlassEvaluator.Evaluate(oracle.YTrue, oracle.Probabilities, oracle.ClassNames);

        var precision = oracle.Doubles("precision");
        var recall = oracle.Doubles("recall");
        var f1 = oracle.Doubles("f1");
        var support = oracle.Doubles("support");
        Assert.Equal(oracle.ClassNames.Length, result.PerClass.Count);
        for (var c = 0; c < oracle.ClassNames.Length; c++)
        {
            var row = result.PerClass[c];
            Assert.Equal(oracle.ClassNames[c], row.Name);
            Assert.Equal(precision[c], row.Precision, Tolerance);
            Assert.Equal(recall[c], row.Recall, Tolerance);
            Assert.Equal(f1[c], row.F1, Tolerance);
            Assert.Equal((int)support[c], row.Support);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_SklearnFixture_MacroAndWeightedAveragesMatch(string name)
    {
        var oracle = SklearnOracleCase.Load(name);

        var result = MulticlassEvaluator.Evaluate(oracle.YTrue, oracle.Probabilities, oracle.ClassNames);

        AssertAverage(oracle.Expected.GetProperty("macro"), result.MacroAverage);
        AssertAverage(oracle.Expected.GetProperty("weighted"), result.WeightedAverage);
        Assert.Equal(oracle.YTrue.Length, result.MacroAverage.Support);
        Assert.Equal(result.WeightedAverage.Precision, result.WeightedPrecision);
        Assert.Equal(result.WeightedAverage.F1, result.WeightedF1);
        Assert.Equal(result.Accuracy, result.WeightedRecall, Tolerance);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_SklearnFixture_ConfusionMatrixMatches(string name)
    {
        var oracle = SklearnOracleCase.Load(name);

        var result = MulticlassEvaluator.Evaluate(oracle.YTrue, oracle.Probabilities, oracle.ClassNames);

        var counts = oracle.Expected.GetProperty("confusionMatrix");
        var normalized = oracle.Expected.GetProperty("confusionMatrixRowNormalized");
        var k = oracle.ClassNames.Length;
        for (var t = 0; t < k; t++)
        {
            for (var p = 0; p < k; p++)
            {
                Assert.Equal(counts[t][p].GetInt32(), result.ConfusionMatrix[t, p]);
                Assert.Equal(normalized[t][p].GetDouble(), result.ConfusionMatrix.RowFraction(t, p), Tolerance);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Evaluate_SklearnFixture_RocAucAndCurvesMatch(string name)
    {
        var oracle = SklearnOracleCase.Load(name);

        var result = MulticlassEvaluator.Evaluate(oracle.YTrue, oracle.Probabilities, oracle.ClassNames);

        var aucs = oracle.Expected.GetProperty("rocAuc");
        var curves = oracle.Expected.GetProperty("rocCurves");
        for (var c = 0; c < oracle.ClassNames.Length; c++)
        {
            var expectedAuc = SklearnOracleCase.NullableDouble(aucs[c]);
            var actual = result.RocCurves.SingleOrDefault(curve => curve.ClassIndex == c);
            if (expectedAuc is null)
            {
                Assert.Null(result.PerClass[c].RocAuc);
                Assert.Null(actual);
                continue;
            }

            Assert.NotNull(actual);
            Assert.Equal(expectedAuc.Value, result.PerClass[c].RocAuc!.Value, Tolerance);
            Assert.Equal(expectedAuc.Value, actual.Auc, Tolerance);
            AssertSequence(curves[c].GetProperty("falsePositiveRate"), actual.FalsePositiveRates);
            AssertSequence(curves[c].GetProperty("truePositiveRate"), actual.TruePositiveRates);
            Assert.Equal(double.PositiveInfinity, actual.Thresholds[0]);
            AssertSequence(curves[c].GetProperty("thresholdsAfterFirst"), actual.Thresholds.Skip(1).ToArray());
        }

        var macro = SklearnOracleCase.NullableDouble(oracle.Expected.GetProperty("macroRocAuc"));
        Assert.NotNull(macro);
        Assert.Equal(macro.Value, result.MacroRocAuc!.Value, Tolerance);
    }

    [Fact]
    public void Evaluate_TiedProbabilities_PredictsLowestIndex()
    {
        var oracle = SklearnOracleCase.Load("tied_scores");
        var k = oracle.ClassNames.Length;
        var expected = oracle.Expected.GetProperty("predicted").EnumerateArray().Select(e => e.GetInt32()).ToArray();

        for (var i = 0; i < oracle.YTrue.Length; i++)
        {
            Assert.Equal(expected[i], MulticlassEvaluator.ArgMax(oracle.Probabilities.AsSpan(i * k, k)));
        }

        Assert.Equal(0, MulticlassEvaluator.ArgMax([0.4, 0.4, 0.2]));
        Assert.Equal(1, MulticlassEvaluator.ArgMax([0.2, 0.4, 0.4]));
    }

    [Fact]
    public void Evaluate_SixSamplesByHand_MatchesSparkWeightedMetrics()
    {
        // Classes a, b, c. Rows are (true → predicted by argmax):
        //   a→a, a→a, a→b, b→b, b→c, c→c          N = 6, N_a = 3, N_b = 2, N_c = 1
        // tp: a 2, b 1, c 1.  Predicted counts: a 2, b 2, c 2.
        // precision: a 2/2 = 1,   b 1/2,   c 1/2
        // recall:    a 2/3,       b 1/2,   c 1/1
        // F1:        a 2·1·(2/3)/(5/3) = 4/5,  b 1/2,  c 2·(1/2)·1/(3/2) = 2/3
        // Spark weightedPrecision = (3·1 + 2·½ + 1·½)/6 = 4.5/6 = 0.75
        //       weightedRecall    = (3·⅔ + 2·½ + 1·1)/6 = 4/6 = accuracy
        //       f1                = (3·⅘ + 2·½ + 1·⅔)/6 = (12/5 + 1 + 2/3)/6 = (61/15)/6 = 61/90
        // Log loss: p_y = 0.6, 0.5, 0.3, 0.7, 0.2, 1.0 (the last clipped to 1 − 1e-15).
        int[] yTrue = [0, 0, 0, 1, 1, 2];
        double[] probabilities =
        [
            0.6, 0.3, 0.1,
            0.5, 0.2, 0.3,
            0.3, 0.6, 0.1,
            0.1, 0.7, 0.2,
            0.1, 0.2, 0.7,
            0.0, 0.0, 1.0,
        ];

        var result = MulticlassEvaluator.Evaluate(yTrue, probabilities, ["a", "b", "c"]);

        Assert.Equal(4.0 / 6, result.Accuracy, 1e-15);
        Assert.Equal(0.75, result.WeightedPrecision, 1e-15);
        Assert.Equal(4.0 / 6, result.WeightedRecall, 1e-15);
        Assert.Equal(61.0 / 90, result.WeightedF1, 1e-15);
        Assert.Equal(0.8, result.PerClass[0].F1, 1e-15);
        var expectedLogLoss = -(Math.Log(0.6) + Math.Log(0.5) + Math.Log(0.3) + Math.Log(0.7) + Math.Log(0.2) + Math.Log(1 - 1e-15)) / 6;
        Assert.Equal(expectedLogLoss, result.LogLoss, 1e-15);
    }

    [Fact]
    public void Evaluate_ClassAbsentFromTruth_MacroAveragesOverAllClasses()
    {
        // Class "c" never occurs and is predicted once: its precision is 0/1 and its recall 0/0 → 0,
        // and it still counts in the macro mean (labels = every class), but not in the weighted one.
        int[] yTrue = [0, 1];
        double[] probabilities = [0.9, 0.05, 0.05, 0.1, 0.2, 0.7];

        var result = MulticlassEvaluator.Evaluate(yTrue, probabilities, ["a", "b", "c"]);

        Assert.Equal(0.0, result.PerClass[1].Recall);
        Assert.Equal(0.0, result.PerClass[2].Recall);
        Assert.Equal(0.0, result.PerClass[2].Precision);
        Assert.Equal(1.0 / 3, result.MacroAverage.Recall, 1e-15);
        Assert.Equal(0.5, result.WeightedRecall, 1e-15);
        Assert.Null(result.PerClass[2].RocAuc);
        Assert.Equal(0.0, result.ConfusionMatrix.RowFraction(2, 2));
        Assert.Equal(2, result.RocCurves.Count);
    }

    [Fact]
    public void Evaluate_ShapeMismatch_ThrowsNamingTheShapes()
    {
        var error = Assert.Throws<ArgumentException>(() => MulticlassEvaluator.Evaluate([0, 1], [0.5, 0.5, 0.5], ["a", "b"]));

        Assert.Equal("probabilities", error.ParamName);
        Assert.Contains("2 samples × 2 classes = 4", error.Message);
    }

    [Fact]
    public void Evaluate_LabelOutOfRange_ThrowsNamingTheIndex()
    {
        var error = Assert.Throws<ArgumentException>(() => MulticlassEvaluator.Evaluate([0, 2], [0.5, 0.5, 0.5, 0.5], ["a", "b"]));

        Assert.Equal("yTrue", error.ParamName);
        Assert.Contains("yTrue[1] = 2", error.Message);
    }

    [Fact]
    public void Evaluate_NaNProbability_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => MulticlassEvaluator.Evaluate([0], [double.NaN, 1.0], ["a", "b"]));

        Assert.Equal("probabilities", error.ParamName);
    }

    private static void AssertAverage(JsonElement expected, AveragedMetrics actual)
    {
        Assert.Equal(expected.GetProperty("precision").GetDouble(), actual.Precision, Tolerance);
        Assert.Equal(expected.GetProperty("recall").GetDouble(), actual.Recall, Tolerance);
        Assert.Equal(expected.GetProperty("f1").GetDouble(), actual.F1, Tolerance);
    }

    private static void AssertSequence(JsonElement expected, IReadOnlyList<double> actual)
    {
        var values = expected.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(values.Length, actual.Count);
        for (var j = 0; j < values.Length; j++)
        {
            Assert.Equal(values[j], actual[j], Tolerance);
        }
    }
}
