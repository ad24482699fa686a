namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary><c>pipeline validate</c> as a child process: what a user sees and what a script gets as exit code.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ValidateCommandEndToEndTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Validate_UnknownKey_PrintsFileLineColumnAndKeyAndExitsNonZero()
    {
        var bundled = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "pipelines", "digits.yaml"));
        Directory.CreateDirectory(_dir.Combine("pipelines"));
        File.WriteAllText(_dir.Combine("pipelines", "bad.yaml"), bundled.Replace("  regParam:", "  regParm:", StringComparison.Ordinal));

        using var validate = await PipelineProcess.RunAsync(RepositoryRoot.Path, "validate", _dir.Combine("pipelines", "bad.yaml"));

        Assert.NotEqual(0, validate.ExitCode);
        var line = LineOf(bundled, "  regParam:");
        Assert.Contains($"{_dir.Combine("pipelines", "bad.yaml")}:{line}:3: train.regParm: unknown key; did you mean 'regParam'?", validate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_UnclosedBracket_PrintsOneLineWithFileLineColumnAndExitsOne()
    {
        var bundled = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "pipelines", "digits.yaml"));
        Directory.CreateDirectory(_dir.Combine("pipelines"));
        File.WriteAllText(_dir.Combine("pipelines", "bad.yaml"), bundled.Replace("prefer: [inceptionv3]", "prefer: [inceptionv3 ", StringComparison.Ordinal));

        using var validate = await PipelineProcess.RunAsync(RepositoryRoot.Path, "validate", _dir.Combine("pipelines", "bad.yaml"));

        Assert.Equal(1, validate.ExitCode);
        var opened = LineOf(bundled, "  prefer:");
        Assert.Equal(
            [$"{_dir.Combine("pipelines", "bad.yaml")}:{opened + 1}:1: YAML syntax error: '[' opened at line {opened}, column 11 is not closed; add ']' or quote the value"],
            validate.ErrorLines);
    }

    [Theory]
    [InlineData("fifo", "a FIFO")]
    [InlineData("link to /dev/zero", "a character device")]
    public async Task Validate_PipelineFileThatIsNotARegularFile_SaysWhatItIsInsteadOfReadingIt(string what, string described)
    {
        // A FIFO blocked the open until a writer came, forever for validate and for a worker's slot;
        // /dev/zero was read until memory ran out.
        var path = _dir.Combine("p.yaml");
        _ = what == "fifo" ? SpecialFiles.Fifo(path) : SpecialFiles.Link(path, "/dev/zero");

        using var validate = await PipelineProcess.RunAsync(RepositoryRoot.Path, "validate", path);

        Assert.Equal(1, validate.ExitCode);
        Assert.Equal([$"{path}:1:1: {described}, not a regular file; a pipeline file must be one"], validate.ErrorLines);
    }

    [Fact]
    public async Task Validate_BundledDigitsPipeline_ExitsZero()
    {
        using var validate = await PipelineProcess.RunAsync(RepositoryRoot.Path, "validate", Path.Combine("pipelines", "digits.yaml"));

        Assert.True(validate.ExitCode == 0, validate.Output);
        Assert.Contains("pipelines/digits.yaml: valid (run 'digits'", validate.Output, StringComparison.Ordinal);
    }

    private static int LineOf(string text, string prefix) =>
        text.Split('\n').Select((l, i) => (Line: l, Number: i + 1)).Single(l => l.Line.StartsWith(prefix, StringComparison.Ordinal)).Number;
}
