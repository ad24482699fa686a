using Pipeline.PipelineFiles;
using Pipeline.Sources;
using Pipeline.Tests.PipelineFiles;

namespace Pipeline.Tests.Sources;

public sealed class WatchSourceKindTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Loader_WatchKind_GivesAWatchDefinitionWithTheAbsolutePath()
    {
        Directory.CreateDirectory(_dir.Combine("inbox", "a"));

        var definition = Load(Watching("inbox")).GetDefinitionOrThrow();

        Assert.Equal(new WatchSourceDefinition(_dir.Combine("inbox")), definition.Source);
    }

    [Fact]
    public void Loader_WatchKindOfMissingFolder_NamesTheKeyAndTheFolder()
    {
        var errors = Load(Watching("nowhere")).Errors.Select(e => e.ToString()).ToList();

        var error = Assert.Single(errors);
        Assert.Contains("source.path", error);
        Assert.Contains(_dir.Combine("nowhere"), error);
    }

    [Fact]
    public void Parse_WatchPrefixOnTheCommandLine_PointsToPipelineFiles()
    {
        var e = Assert.Throws<SourceException>(() => ImageSourceFactory.Parse("watch:inbox"));

        Assert.Equal(
            "Input 'watch:inbox': a watch source is named in a pipeline file (source: {kind: watch, path: inbox}) and run with pipeline run FILE, since watch sources need a streaming run.",
            e.Message);
    }

    [Fact]
    public async Task OpenAsync_ThroughTheFactory_IsAWatchWithTheFoldersAsClasses()
    {
        Directory.CreateDirectory(_dir.Combine("inbox", "b"));
        Directory.CreateDirectory(_dir.Combine("inbox", "a"));

        var source = await ImageSourceFactory.OpenAsync(new WatchSourceDefinition(_dir.Combine("inbox")));

        Assert.IsType<WatchImageSource>(source);
        Assert.Equal(["a", "b"], source.Classes.Names);
        Assert.Equal($"watched folder {_dir.Combine("inbox")}", source.Description);
    }

    private static string Watching(string path) =>
        PipelineFileLoaderTests.Minimal.Replace("kind: folder\n  path: images", $"kind: watch\n  path: {path}", StringComparison.Ordinal);

    private PipelineLoadResult Load(string yaml) => PipelineFileLoader.Parse(yaml, "t.yaml", new RunDefaults { BaseDirectory = _dir.Path });
}
