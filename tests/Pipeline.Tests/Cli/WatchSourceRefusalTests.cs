using Pipeline.Tests.Featurization;

namespace Pipeline.Tests.Cli;

/// <summary>The batch commands take no watch source: a stream needs a pipeline file, which holds its <c>stream</c> settings.</summary>
public sealed class WatchSourceRefusalTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public WatchSourceRefusalTests() => GeneratedImages.WriteFolder(_dir.Combine("inbox"), 2, "a");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Featurize_WatchPrefix_IsRefusedWithAPointerToPipelineFiles()
    {
        using var result = await PipelineProcess.RunAsync(_dir.Path, "featurize", "--input", "watch:inbox", "--output", "store");

        Assert.True(result.ExitCode != 0, result.Output);
        Assert.Contains("a watch source is named in a pipeline file (source: {kind: watch, path: inbox})", result.Output);
        Assert.False(Directory.Exists(_dir.Combine("store")));
    }
}
