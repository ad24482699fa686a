using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Classifier;
using Pipeline.Training;

namespace Pipeline.Tests.Classifier;

[Collection(ClassifierCollection.Name)]
public sealed class TrainingJobTests(ClassifierFixture fixture)
{
    [Fact]
    public async Task RunAsync_TestFeatures_TrainsOnEveryRowAndHoldsTheTestStoreForEvaluation()
    {
        var result = fixture.Training;
        var test = await ClassifierFixture.ReadStoreAsync(fixture.TestStore);

        Assert.Equal(28, result.TrainSamples);
        Assert.Equal(12, result.TestSamples);
        Assert.Equal(test.Paths, result.Test!.Paths);
        // Both stores list the same four classes, so the labels index the model's classes unchanged.
        Assert.Equal(test.LabelIndices, result.TestLabels);
        Assert.Equal(fixture.ModelDirectory, result.ModelDirectory);
    }

    [Fact]
    public async Task RunAsync_OverAnExportedModel_SavesModelJsonWithoutTheStaleOnnx()
    {
        using var dir = new TempFolder();
        var folder = fixture.CopyModel(Path.Combine(dir.Path, "model"));

        await TrainAsync(Options(folder));

        Assert.False(File.Exists(Path.Combine(folder, ClassifierModel.OnnxFileName)));
        Assert.Null((await ClassifierModel.LoadAsync(folder)).OnnxPath);
    }

    [Fact]
    public async Task RunAsync_NoTestFeatures_HoldsOutTheTestFraction()
    {
        using var dir = new TempFolder();

        var result = await TrainAsync(Options(dir.Path));

        // round(0.2 · 28) = 6 rows held out.
        Assert.Equal(22, result.TrainSamples);
        Assert.Equal(6, result.TestSamples);
        Assert.Equal(6, result.Test!.Count);
        Assert.Equal(5, result.Summary.Iterations);
        Assert.Equal(StopReason.MaxIterations, result.Summary.StopReason);
        var saved = await ClassifierModel.LoadAsync(dir.Path);
        Assert.Equal(0.2, saved.Training!.TestFraction);
        Assert.Equal(42UL, saved.Training.Seed);
    }

    [Fact]
    public async Task RunAsync_TestFractionZero_TrainsOnEveryRowAndHoldsNoTestRows()
    {
        using var dir = new TempFolder();

        var result = await TrainAsync(Options(dir.Path) with { TestFraction = 0 });

        // Spark's fit(df): all 28 rows of the train store.
        Assert.Equal(28, result.TrainSamples);
        Assert.Equal(0, result.TestSamples);
        Assert.Null(result.Test);
        Assert.Empty(result.TestLabels);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "report")));
        var saved = await ClassifierModel.LoadAsync(dir.Path);
        Assert.Equal(28, saved.Training!.TrainSamples);
        Assert.Equal(0, saved.Training.TestSamples);
        Assert.Equal(0, saved.Training.TestFraction);
    }

    [Fact]
    public async Task RunAsync_GridSearchWithTestFractionZero_CrossValidatesOnEveryRow()
    {
        using var dir = new TempFolder();

        var result = await TrainAsync(Options(dir.Path) with { TestFraction = 0, GridRegParams = [0.01, 0.1], Folds = 2 });

        var grid = Assert.IsType<GridSearchResult>(result.GridSearch);
        Assert.Equal(2, grid.Points.Count);
        Assert.Equal(28, result.TrainSamples);
        Assert.Null(result.Test);
    }

    [Fact]
    public async Task RunAsync_GridSearch_RecordsEveryPointInModelJson()
    {
        using var dir = new TempFolder();

        var result = await TrainingJob.RunAsync(
            new TrainingJobOptions
            {
                FeaturesDirectory = fixture.TrainStore,
                TestFeaturesDirectory = fixture.TestStore,
                OutputDirectory = dir.Path,
                ModelsDirectory = AppContext.BaseDirectory,
                Regression = new() { MaxIter = 10 },
                GridRegParams = [0.01, 0.1],
                GridElasticNetParams = [0, 1],
                Folds = 2,
                Metric = SelectionMetricKind.Accuracy,
            },
            NullLogger.Instance,
            CancellationToken.None);

        var grid = Assert.IsType<GridSearchResult>(result.GridSearch);
        Assert.Equal([(0.01, 0.0), (0.01, 1.0), (0.1, 0.0), (0.1, 1.0)], grid.Points.Select(p => (p.RegParam, p.ElasticNetParam)));
        Assert.Equal(grid.Best.Options, result.Summary.Options);
        var saved = (await ClassifierModel.LoadAsync(dir.Path)).Training!.GridSearch!;
        Assert.Equal("accuracy", saved.Metric);
        Assert.Equal(2, saved.Folds);
        Assert.Equal(grid.Points.Select(p => (p.Mean, p.StandardDeviation)), saved.Points.Select(p => (p.Mean, p.StandardDeviation)));
        Assert.Equal(grid.Best.Options, saved.Chosen.Options);
    }

    [Fact]
    public async Task RunAsync_TestStoreOfAnotherFeaturizer_RefusesNamingTheKey()
    {
        using var dir = new TempFolder();
        var test = await ClassifierFixture.ReadStoreAsync(fixture.TestStore);
        var other = Path.Combine(dir.Path, "other");
        await ClassifierFixture.WriteStoreAsync(other, test, test.Metadata with { ModelSha256 = new string('0', 64) });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TrainingJob.RunAsync(
            new TrainingJobOptions { FeaturesDirectory = fixture.TrainStore, TestFeaturesDirectory = other, OutputDirectory = Path.Combine(dir.Path, "model") },
            NullLogger.Instance,
            CancellationToken.None));

        Assert.Contains($"Test feature store '{other}' was featurized by another featurizer", error.Message);
        Assert.Contains("pipeline.model_sha256 000000000000… (resnet18) instead of ", error.Message);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "model")));
    }

    [Fact]
    public async Task RunAsync_SingleClassStore_FailsWithOneSentence()
    {
        using var dir = new TempFolder();
        var train = await ClassifierFixture.ReadStoreAsync(fixture.TrainStore);
        var zeros = train.Subset(Enumerable.Range(0, train.Count).Where(i => train.LabelIndices[i] == 0).ToArray());
        var store = Path.Combine(dir.Path, "zeros");
        await ClassifierFixture.WriteStoreAsync(store, zeros, zeros.Metadata with { Classes = ["0"] });

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TrainingJob.RunAsync(
            new TrainingJobOptions { FeaturesDirectory = store, OutputDirectory = Path.Combine(dir.Path, "model") }, NullLogger.Instance, CancellationToken.None));

        Assert.Equal($"Feature store '{store}' has a single class ('0'); a classifier needs at least two.", error.Message);
    }

    [Fact]
    public async Task RunAsync_NaNFeature_NamesRowAndPath()
    {
        using var dir = new TempFolder();
        var train = await ClassifierFixture.ReadStoreAsync(fixture.TrainStore);
        var values = (float[])train.Features.Clone();
        values[(3 * train.Dimension) + 7] = float.NaN;
        var store = Path.Combine(dir.Path, "nan");
        await ClassifierFixture.WriteStoreAsync(store, train, train.Metadata, values);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => TrainingJob.RunAsync(
            new TrainingJobOptions { FeaturesDirectory = store, OutputDirectory = Path.Combine(dir.Path, "model") }, NullLogger.Instance, CancellationToken.None));

        Assert.Equal($"Feature store '{store}' row 3 ('{train.Paths[3]}') has feature 7 = NaN; features must be finite.", error.Message);
    }

    private static Task<TrainingJobResult> TrainAsync(TrainingJobOptions options) =>
        TrainingJob.RunAsync(options, NullLogger.Instance, CancellationToken.None);

    /// <summary>A five-iteration fit of the fixture's train store into <paramref name="output"/>, the job's defaults otherwise.</summary>
    private TrainingJobOptions Options(string output) => new()
    {
        FeaturesDirectory = fixture.TrainStore,
        OutputDirectory = output,
        ModelsDirectory = AppContext.BaseDirectory,
        Regression = new() { MaxIter = 5 },
    };
}
