using Pipeline.Tests.Featurization;

namespace Pipeline.Tests.Cli;

/// <summary>
/// <c>pipeline featurize</c> with a fatal problem: exit code 1 and exactly one line on standard
/// error that names the problem and what to do, nothing on standard output.
/// </summary>
public sealed class CliFatalErrorTests : IDisposable
{
    private readonly TempFolder _work = new();
    private readonly string _images;

    public CliFatalErrorTests()
    {
        _images = Path.Combine(_work.Path, "images");
        GeneratedImages.WriteFolder(_images, 2, "a");
    }

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Featurize_ModelFileMissing_ExitsOneNamingWhereToPutIt()
    {
        var models = Directory.CreateDirectory(Path.Combine(_work.Path, "models")).FullName;

        using var result = await FeaturizeAsync("--input", _images, "--output", Output, "--model", "inceptionv3", "--models-dir", models);

        AssertOneError(result, "inceptionv3", $"put it at '{Path.Combine(models, "inceptionv3.onnx")}'");
    }

    [Fact]
    public async Task Featurize_InputMissing_ExitsOneNamingTheInput()
    {
        var missing = Path.Combine(_work.Path, "no-such-folder");

        using var result = await FeaturizeAsync("--input", missing, "--output", Output);

        AssertOneError(result, $"'{missing}' does not exist");
    }

    [Fact]
    public async Task Featurize_InputWithoutImages_ExitsOneNamingTheFolderAndLayout()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_work.Path, "empty", "a")).Parent!.FullName;

        using var result = await FeaturizeAsync("--input", empty, "--output", Output);

        AssertOneError(result, $"'{empty}' has no images", "<label>/<image>");
    }

    [Fact]
    public async Task Featurize_ManifestListingAPathWithTwoLabels_ExitsOneNamingBothLinesBeforeFeaturizing()
    {
        var image = Path.Combine(_images, "a", "img-000.png");
        var manifest = _work.Write("m.csv", System.Text.Encoding.UTF8.GetBytes($"path,label\n{image},a\nimages/a/img-001.png,a\nimages/a/../a/img-000.png,b\n"));

        using var result = await FeaturizeAsync("--input", manifest, "--output", Output);

        AssertOneError(result, $"Manifest '{manifest}' lists '{image}' with label 'a' on line 2 and with label 'b' on line 4; an image can have one label only.");
        Assert.False(Directory.Exists(Output));
    }

    [Fact]
    public async Task Featurize_OutputNotWritable_ExitsOneNamingTheOutput()
    {
        // A path below a regular file cannot be created, even by root (for whom permissions are no obstacle).
        var blocker = _work.Write("blocker.txt", [1]);
        var output = Path.Combine(blocker, "store");

        using var result = await FeaturizeAsync("--input", _images, "--output", output);

        AssertOneError(result, $"'{output}' cannot be created or written");
        Assert.False(Directory.Exists(output));
    }

    private string Output => Path.Combine(_work.Path, "store");

    private Task<PipelineProcess> FeaturizeAsync(params string[] args) =>
        PipelineProcess.RunAsync(_work.Path, ["featurize", "--device", "cpu", .. args]);

    private static void AssertOneError(PipelineProcess result, params string[] fragments)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.StandardOutput);
        var line = Assert.Single(result.ErrorLines);
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        foreach (var fragment in fragments)
        {
            Assert.Contains(fragment, line, StringComparison.Ordinal);
        }
    }
}
