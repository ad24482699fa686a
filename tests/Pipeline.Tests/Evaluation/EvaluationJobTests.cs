using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Classifier;
using Pipeline.Evaluation;
using Pipeline.Metrics;
using Pipeline.Tests.Classifier;
using Pipeline.Training;

namespace Pipeline.Tests.Evaluation;

[Collection(ClassifierCollection.Name)]
public sealed class EvaluationJobTests(ClassifierFixture fixture)
{
    [Fact]
    public async Task RunAsync_TestStore_GivesTheTrainingReportsMetrics()
    {
        using var dir = new TempFolder();

        var result = await EvaluationJob.RunAsync(
            new EvaluationJobOptions { ModelDirectory = fixture.ModelDirectory, FeaturesDirectory = fixture.TestStore, ReportDirectory = dir.Path },
            NullLogger.Instance,
            CancellationToken.None);

        Assert.Equal(12, result.Samples);
        Assert.Equal(fixture.Evaluation.Evaluation.Accuracy, result.Evaluation.Accuracy);
        Assert.Equal(fixture.Evaluation.Evaluation.LogLoss, result.Evaluation.LogLoss);
        var trained = fixture.Evaluation.Evaluation.ConfusionMatrix;
        for (var t = 0; t < 4; t++)
        {
            for (var p = 0; p < 4; p++)
            {
                Assert.Equal(trained[t, p], result.Evaluation.ConfusionMatrix[t, p]);
            }
        }
        Assert.True(File.Exists(Path.Combine(dir.Path, "metrics.json")));
    }

    [Fact]
    public async Task RunAsync_StoreWithASubsetOfClasses_MapsLabelsByName()
    {
        using var dir = new TempFolder();
        var test = await ClassifierFixture.ReadStoreAsync(fixture.TestStore);
        var rows = Enumerable.Range(0, test.Count).Where(i => test.Labels[i] is "2" or "3").ToArray();
        var subset = test.Subset(rows);
        var store = Path.Combine(dir.Path, "subset");
        await ClassifierFixture.WriteStoreAsync(store, subset, subset.Metadata with { Classes = ["2", "3"] });

        var result = await EvaluationJob.RunAsync(
            new EvaluationJobOptions { ModelDirectory = fixture.ModelDirectory, FeaturesDirectory = store, ReportDirectory = Path.Combine(dir.Path, "report") },
            NullLogger.Instance,
            CancellationToken.None);

        // Store labels 0,1 are model classes "2","3" (indices 2,3): the matrix rows of 0 and 1 stay empty.
        Assert.Equal(6, result.Samples);
        Assert.Equal(0, result.Evaluation.ConfusionMatrix.RowTotal(0) + result.Evaluation.ConfusionMatrix.RowTotal(1));
        Assert.Equal(3, result.Evaluation.ConfusionMatrix.RowTotal(2));
        Assert.Equal(3, result.Evaluation.ConfusionMatrix.RowTotal(3));
    }

    [Fact]
    public async Task RunAsync_StoreOfOtherPreprocessing_Refuses()
    {
        using var dir = new TempFolder();
        var test = await ClassifierFixture.ReadStoreAsync(fixture.TestStore);
        var store = Path.Combine(dir.Path, "other");
        await ClassifierFixture.WriteStoreAsync(store, test, test.Metadata with { Preprocessing = "resize=center-crop" });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => EvaluationJob.RunAsync(
            new EvaluationJobOptions { ModelDirectory = fixture.ModelDirectory, FeaturesDirectory = store, ReportDirectory = Path.Combine(dir.Path, "report") },
            NullLogger.Instance,
            CancellationToken.None));

        Assert.Contains($"Feature store '{store}' was featurized by another featurizer", error.Message);
        Assert.Contains("preprocessing 'resize=center-crop' instead of", error.Message);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "report")));
    }

    [Fact]
    public async Task RunAsync_StoreWithAnUnknownClass_Refuses()
    {
        using var dir = new TempFolder();
        var test = await ClassifierFixture.ReadStoreAsync(fixture.TestStore);
        var store = Path.Combine(dir.Path, "renamed");
        var renamed = test.Metadata with { Classes = ["0", "1", "2", "x"] };
        await ClassifierFixture.WriteStoreAsync(store, Relabel(test, "3", "x"), renamed);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => EvaluationJob.RunAsync(
            new EvaluationJobOptions { ModelDirectory = fixture.ModelDirectory, FeaturesDirectory = store, ReportDirectory = Path.Combine(dir.Path, "report") },
            NullLogger.Instance,
            CancellationToken.None));

        Assert.Equal($"Feature store '{store}' has class 'x', which the classifier does not know (its classes: 0, 1, 2, 3).", error.Message);
    }

    [Fact]
    public async Task RunAsync_AfterTrainingWithATestStore_ReportsTheTestStoreMetrics()
    {
        var result = fixture.Evaluation;
        var test = await ClassifierFixture.ReadStoreAsync(fixture.TestStore);

        var expected = MulticlassEvaluator.Evaluate(test.LabelIndices, fixture.Training.Model.PredictProbabilities(test), test.Classes.Names);

        Assert.Equal(12, result.Samples);
        Assert.Equal(expected.Accuracy, result.Evaluation.Accuracy);
        Assert.Equal(expected.LogLoss, result.Evaluation.LogLoss);
        foreach (var file in new[] { result.Report.MetricsJson, result.Report.ReportMarkdown, result.Report.ConfusionMatrixPng, result.Report.RocCurvesPng, result.Report.ObjectivePng! })
        {
            Assert.True(File.Exists(file), file);
        }

        var metrics = JsonNode.Parse(await File.ReadAllTextAsync(result.Report.MetricsJson))!.ToJsonString();
        Assert.Contains("\"regParam\":\"0.03\"", metrics);
        Assert.Equal(Path.Combine(fixture.ModelDirectory, "report"), result.Report.Folder);
    }

    [Fact]
    public async Task RunAsync_AfterTrainingOnEveryRowWithATestStore_EvaluatesOnTheTestStore()
    {
        using var dir = new TempFolder();
        var options = TrainingOptions(dir.Path) with { TestFeaturesDirectory = fixture.TestStore, TestFraction = 0 };

        var (training, result) = await TrainAndEvaluateAsync(options);

        Assert.Equal(28, training.TrainSamples);
        Assert.Equal(12, training.TestSamples);
        Assert.Equal(12, result!.Evaluation.SampleCount);
        Assert.True(File.Exists(result.Report.MetricsJson));
    }

    [Fact]
    public async Task RunAsync_AfterTrainingWithoutTestRows_WritesNothing()
    {
        using var dir = new TempFolder();

        var (_, result) = await TrainAndEvaluateAsync(TrainingOptions(dir.Path) with { TestFraction = 0 });

        Assert.Null(result);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "report")));
    }

    [Fact]
    public async Task RunAsync_AfterTrainingWithoutTestRowsOverAnEarlierReport_RemovesTheStaleReportFiles()
    {
        using var dir = new TempFolder();
        var (_, earlier) = await TrainAndEvaluateAsync(TrainingOptions(dir.Path));
        var notes = Path.Combine(earlier!.Report.Folder, "notes.txt");
        await File.WriteAllTextAsync(notes, "mine");

        await TrainAndEvaluateAsync(TrainingOptions(dir.Path) with { TestFraction = 0 });

        Assert.Equal([notes], Directory.GetFiles(earlier.Report.Folder));
    }

    [Fact]
    public async Task RunAsync_AfterTrainingWithEvaluateOff_WritesNoReport()
    {
        using var dir = new TempFolder();

        var (_, result) = await TrainAndEvaluateAsync(TrainingOptions(dir.Path) with { Evaluate = false });

        Assert.Null(result);
        Assert.True(File.Exists(Path.Combine(dir.Path, "model.json")));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "report")));
    }

    [Fact]
    public async Task RunAsync_AfterAGridSearch_EndsTheReportWithTheGridTable()
    {
        using var dir = new TempFolder();
        var options = TrainingOptions(dir.Path) with
        {
            TestFeaturesDirectory = fixture.TestStore,
            Regression = new() { MaxIter = 10 },
            GridRegParams = [0.01, 0.1],
            GridElasticNetParams = [0, 1],
            Folds = 2,
            Metric = SelectionMetricKind.Accuracy,
        };

        var (training, result) = await TrainAndEvaluateAsync(options);

        var report = await File.ReadAllTextAsync(result!.Report.ReportMarkdown);
        Assert.Contains("## Grid search", report);
        Assert.Contains(GridSearchTable.Render(training.GridSearch!, SelectionMetricKind.Accuracy, 2), report);
    }

    private static async Task<(TrainingJobResult Training, EvaluationJobResult? Evaluation)> TrainAndEvaluateAsync(TrainingJobOptions options)
    {
        var training = await TrainingJob.RunAsync(options, NullLogger.Instance, CancellationToken.None);
        return (training, await EvaluationJob.RunAsync(training, options, CancellationToken.None));
    }

    /// <summary>A five-iteration fit of the fixture's train store into <paramref name="output"/>, the job's defaults otherwise.</summary>
    private TrainingJobOptions TrainingOptions(string output) => new()
    {
        FeaturesDirectory = fixture.TrainStore,
        OutputDirectory = output,
        ModelsDirectory = AppContext.BaseDirectory,
        Regression = new() { MaxIter = 5 },
    };

    private static Pipeline.FeatureStore.FeatureSet Relabel(Pipeline.FeatureStore.FeatureSet set, string from, string to)
    {
        for (var i = 0; i < set.Count; i++)
        {
            if (set.Labels[i] == from)
            {
                set.Labels[i] = to;
            }
        }

        return set;
    }
}
