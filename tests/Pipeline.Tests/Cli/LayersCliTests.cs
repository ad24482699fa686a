using Pipeline.Tests.Classifier;

namespace Pipeline.Tests.Cli;

/// <summary><c>--layers</c> of <c>pipeline featurize</c> and <c>pipeline train</c> as child processes.</summary>
[Collection(LayeredClassifierFixture.Name)]
public sealed class LayersCliTests(LayeredClassifierFixture fixture)
{
    [Fact]
    public async Task Train_LayersOfALayeredStore_TrainsOnThoseColumns()
    {
        using var dir = new TempFolder();

        using var train = await PipelineProcess.RunAsync(
            dir.Path, "train", "--features", fixture.TrainStore, "--test-features", fixture.TestStore, "--output", "model", "--max-iter", "3", "--layers", "stage4");

        Assert.True(train.ExitCode == 0, train.Output);
        Assert.Single(train.ErrorLines, line => line.Contains("(4 classes, 512 features from resnet18)", StringComparison.Ordinal));
        Assert.Contains("\"layers\": \"stage4\"", await File.ReadAllTextAsync(dir.Combine("model", "model.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Featurize_UnknownLayer_FailsNamingTheKnownOnesBeforeReadingAnImage()
    {
        using var dir = new TempFolder();

        using var featurize = await PipelineProcess.RunAsync(
            dir.Path, "featurize", "--input", Path.Combine(ClassifierFixture.DigitsDirectory, "test"), "--output", "store", "--layers", "stage2,stage9");

        Assert.NotEqual(0, featurize.ExitCode);
        Assert.Contains("Model 'resnet18' has no layer 'stage9'; its layers are: stage1, stage2, stage3, stage4.", featurize.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("store", "features")));
    }
}
