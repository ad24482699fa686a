using Pipeline.Tests.Runs;
using Pipeline.Tests.Runs.EndToEnd;

namespace Pipeline.Tests.Cli;

/// <summary>The documented exit codes a script relies on: 2 when the command line does not parse, distinct from 1 for a fatal error.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class CommandLineExitCodeTests
{
    [Fact]
    public async Task Train_UnknownOption_ExitsTwoNamingTheOption()
    {
        using var train = await PipelineProcess.RunAsync(RepositoryRoot.Path, "train", "--features", "f", "--output", "o", "--regparam", "0.1");

        Assert.True(train.ExitCode == 2, train.Output);
        Assert.Contains("--regparam", train.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_MissingRequiredOption_ExitsTwo()
    {
        using var train = await PipelineProcess.RunAsync(RepositoryRoot.Path, "train", "--features", "f");

        Assert.True(train.ExitCode == 2, train.Output);
        Assert.Contains("--output", train.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_MissingFeatureStore_ExitsOne()
    {
        using var train = await PipelineProcess.RunAsync(RepositoryRoot.Path, "train", "--features", "no-such-store", "--output", "o");

        Assert.True(train.ExitCode == 1, train.Output);
    }

    [Fact]
    public async Task Featurize_UnknownModel_ExitsTwoListingTheKnownModels()
    {
        using var dir = new TempFolder();

        using var featurize = await PipelineProcess.RunAsync(dir.Path, "featurize", "--input", "images", "--output", "store", "--model", "resnet99");

        Assert.True(featurize.ExitCode == 2, featurize.Output);
        var line = Assert.Single(featurize.ErrorLines, l => l.StartsWith("--model 'resnet99' is not in the zoo; ", StringComparison.Ordinal));
        Assert.Contains("knows: inceptionv3, xception, resnet50, vgg16, vgg19, resnet18", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max-megapixels must be greater than 0, got -1", "featurize", "-i", "images", "-o", "store", "--max-megapixels", "-1")]
    [InlineData("--batch-size must be from 0 to 4096, got -1", "featurize", "-i", "images", "-o", "store", "--batch-size", "-1")]
    [InlineData("-m 'nosuch' is not in the zoo", "featurize", "-i", "images", "-o", "store", "-m", "nosuch")]
    [InlineData("--test-fraction must be at least 0 and less than 1, got 1", "train", "-f", "store", "-o", "model", "--test-fraction", "1")]
    [InlineData("--grid-reg-param takes comma-separated numbers, but 'x' is not a number", "train", "-f", "store", "-o", "model", "--grid-reg-param", "0.1,x")]
    [InlineData("--folds must be from 2 to 100, got 1", "train", "-f", "store", "-o", "model", "--folds", "1")]
    [InlineData("--output must not be empty", "evaluate", "-m", "model", "-f", "store", "--output", "")]
    [InlineData("--parallelism must be from 1 to 256, got 0", "predict", "-m", "model", "-i", "images", "-o", "p.parquet", "--parallelism", "0")]
    [InlineData("--images must be 1 or more, got 0", "bench-inference", "--images", "0")]
    [InlineData("<file> must not be empty", "validate", "")]
    [InlineData("<file> must not be empty", "run", "")]
    [InlineData("--Pipeline:Worker:MaxConcurrentRuns must be from 1 to 64, got 0", "worker", "--Pipeline:Worker:MaxConcurrentRuns=0")]
    [InlineData("--Pipeline:Worker:PollInterval cannot be 'soon'", "worker", "--Pipeline:Worker:PollInterval=soon")]
    public async Task Command_BadOptionValue_ExitsTwoNamingTheOptionAsTypedAndCreatesNothing(string message, params string[] arguments)
    {
        using var dir = new TempFolder();

        using var child = await PipelineProcess.RunAsync(dir.Path, arguments);

        Assert.True(child.ExitCode == 2, child.Output);
        Assert.Contains(child.ErrorLines, line => line.Contains(message, StringComparison.Ordinal));
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
    }
}
