namespace Pipeline.Tests.Runs.EndToEnd;

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
}
