using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Featurization;
using Pipeline.PipelineFiles;
using Pipeline.Runs;
using Pipeline.Sources;
using Pipeline.Tests.Featurization;
using Pipeline.Tests.PipelineFiles;

namespace Pipeline.Tests.Runs;

public sealed class FeaturizeStageTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunAsync_WatchSource_IsRefusedBeforeAnythingIsWritten()
    {
        GeneratedImages.WriteFolder(_dir.Combine("inbox"), 2, "a");
        Directory.CreateDirectory(_dir.Combine("images"));
        var definition = PipelineFileLoader.Parse(PipelineFileLoaderTests.Minimal, "t.yaml", new RunDefaults { BaseDirectory = _dir.Path }).GetDefinitionOrThrow();
        var watch = new WatchSourceDefinition(_dir.Combine("inbox"));
        var store = _dir.Combine("store");

        var e = await Assert.ThrowsAsync<SourceException>(() => new FeaturizeStage(NullLogger.Instance, null).RunAsync(
            watch, TestFeaturization.ResNet18, definition, store, new FeaturizationCounters(), CancellationToken.None, CancellationToken.None));

        Assert.Equal(
            $"Source 'watch {watch.Path}': watch sources need a streaming run, which this version does not have yet; use kind: folder to featurize what the folder holds now.",
            e.Message);
        Assert.False(Directory.Exists(store));
    }
}
