using Pipeline.Tests.Classifier;

namespace Pipeline.Tests.Cli;

/// <summary><c>pipeline train</c> as a child process, on the collection's feature stores.</summary>
[Collection(ClassifierCollection.Name)]
public sealed class TrainCommandTests(ClassifierFixture fixture)
{
    [Fact]
    public async Task Train_TestFractionZero_TrainsOnEveryRowAndSaysThereIsNoEvaluation()
    {
        using var dir = new TempFolder();

        using var train = await PipelineProcess.RunAsync(dir.Path, "train", "--features", fixture.TrainStore, "--output", "model", "--max-iter", "3", "--test-fraction", "0");

        Assert.True(train.ExitCode == 0, train.Output);
        Assert.Contains("train: 28  test: 0  ", train.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("evaluation: none; all 28 rows were trained on (--test-fraction 0), give --test-features to evaluate", train.StandardOutput, StringComparison.Ordinal);
        Assert.Single(train.ErrorLines, line => line.Contains("there is no evaluation", StringComparison.Ordinal));
        Assert.True(File.Exists(dir.Combine("model", "model.json")));
        Assert.False(Directory.Exists(dir.Combine("model", "report")));
    }

    [Fact]
    public async Task Train_GridRegParamList_SearchesEachValue()
    {
        using var dir = new TempFolder();

        using var train = await PipelineProcess.RunAsync(dir.Path, "train", "--features", fixture.TrainStore, "--output", "model", "--max-iter", "3", "--grid-reg-param", "0.01, 0.1", "--folds", "2");

        Assert.True(train.ExitCode == 0, train.Output);
        Assert.Contains("grid search (2 points, f1 by cross-validation; * chosen):", train.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_GridStandardizationBoth_SearchesEachWayAndShowsTheColumn()
    {
        using var dir = new TempFolder();

        using var train = await PipelineProcess.RunAsync(
            dir.Path, "train", "--features", fixture.TrainStore, "--output", "model", "--max-iter", "3", "--grid-reg-param", "0.01", "--grid-standardization", "true,false", "--folds", "2");
        using var bad = await PipelineProcess.RunAsync(dir.Path, "train", "--features", fixture.TrainStore, "--output", "bad", "--grid-standardization", "yes");

        Assert.True(train.ExitCode == 0, train.Output);
        Assert.Contains("grid search (2 points, f1 by cross-validation; * chosen):", train.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("| regParam | elasticNetParam | standardization | f1 mean (2 folds) | std | chosen |", train.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("| 0.01 | 0 | true |", train.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("| 0.01 | 0 | false |", train.StandardOutput, StringComparison.Ordinal);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--grid-standardization takes comma-separated true/false values, but 'yes' is neither", bad.Output, StringComparison.Ordinal);
    }
}
