using Pipeline.Tests.Featurization;

namespace Pipeline.Tests.Cli;

/// <summary>Until the streaming run exists, the batch commands end at once on a watch source, saying why, rather than wait for it forever.</summary>
public sealed class WatchSourceRefusalTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public WatchSourceRefusalTests() => GeneratedImages.WriteFolder(_dir.Combine("inbox"), 2, "a");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Run_WatchSource_FailsSayingItNeedsAStreamingRun()
    {
        var file = _dir.Combine("watch.yaml");
        File.WriteAllText(file, """
            name: watch
            source: {kind: watch, path: inbox}
            model: {name: resnet18}
            featurize: {device: cpu}
            output: watch
            """);

        using var result = await PipelineProcess.RunAsync(_dir.Path, "run", file);

        Assert.True(result.ExitCode == 1, result.Output);
        Assert.Contains("watch sources need a streaming run", result.Output);
        Assert.Empty(Directory.EnumerateFiles(_dir.Combine("runs", "watch"), "*.parquet", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Featurize_WatchPrefix_IsRefusedWithAPointerToPipelineFiles()
    {
        using var result = await PipelineProcess.RunAsync(_dir.Path, "featurize", "--input", "watch:inbox", "--output", "store");

        Assert.True(result.ExitCode != 0, result.Output);
        Assert.Contains("a watch source is named in a pipeline file (source: {kind: watch, path: inbox})", result.Output);
        Assert.False(Directory.Exists(_dir.Combine("store")));
    }
}
