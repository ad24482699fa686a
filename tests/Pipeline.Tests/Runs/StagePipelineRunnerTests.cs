using Pipeline.Classifier;
using Pipeline.Runs;
using Pipeline.Training;
using Pipeline.PipelineFiles;
using Pipeline.Tests.PipelineFiles;

namespace Pipeline.Tests.Runs;

public sealed class StagePipelineRunnerTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public StagePipelineRunnerTests()
    {
        Directory.CreateDirectory(_dir.Combine("images"));
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TrainingOptions_GridSeed_SeedsTheFoldsAndNotTheSplit()
    {
        var options = TrainingOptions(PipelineFileLoaderTests.Minimal + "\ngrid:\n  regParam: [0.1]\n  seed: 7");

        Assert.Equal(42UL, options.Seed);
        Assert.Equal(7UL, TrainingJob.GridOptions(options).Seed);
    }

    [Fact]
    public void TrainingOptions_GridWithoutSeed_FoldsUseGridDefault42()
    {
        var options = TrainingOptions(PipelineFileLoaderTests.Minimal + "\nsplit:\n  seed: 5\ngrid:\n  regParam: [0.1]");

        Assert.Equal(5UL, options.Seed);
        Assert.Equal(42UL, TrainingJob.GridOptions(options).Seed);
    }

    private TrainingJobOptions TrainingOptions(string yaml)
    {
        var definition = PipelineFileLoader.Parse(yaml, "t.yaml", new RunDefaults { BaseDirectory = _dir.Path }).GetDefinitionOrThrow();
        var run = new ResolvedRun("t.yaml", definition, "resnet18", new RunFolder(definition.OutputPath), "models", IsResume: false);
        return StagePipelineRunner.TrainingOptions(run, testStore: null);
    }
}
