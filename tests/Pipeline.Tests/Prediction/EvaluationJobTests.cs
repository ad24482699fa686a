using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Evaluation;

namespace Pipeline.Tests.Prediction;

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
        Assert.Equal(fixture.Training.Evaluation!.Accuracy, result.Evaluation.Accuracy);
        Assert.Equal(fixture.Training.Evaluation!.LogLoss, result.Evaluation.LogLoss);
        var trained = fixture.Training.Evaluation!.ConfusionMatrix;
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
