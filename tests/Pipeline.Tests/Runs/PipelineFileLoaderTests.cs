using Pipeline.Training;
using Pipeline.Inference;
using Pipeline.Runs;

namespace Pipeline.Tests.Runs;

public sealed class PipelineFileLoaderTests : IDisposable
{
    internal const string Minimal = """
        name: t
        source:
          kind: folder
          path: images
        model:
          name: resnet18
        output: out
        """;

    private readonly TempFolder _dir = new();
    private readonly RunDefaults _defaults;

    public PipelineFileLoaderTests()
    {
        Directory.CreateDirectory(_dir.Combine("images"));
        _defaults = new RunDefaults { BaseDirectory = _dir.Path, OutputRoot = "runs", BatchSize = 16, Parallelism = 3 };
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Parse_MisspeltKey_ReportsPositionKeyAndNearestKnownKey()
    {
        var yaml = """
            name: t
            source:
              kind: folder
              path: images
            model:
              name: resnet18
            train:
              maxIter: 5
              regParm: 0.03
            output: out
            """;

        var errors = Errors(yaml);

        Assert.Equal(["t.yaml:9:3: train.regParm: unknown key; did you mean 'regParam'?"], errors);
    }

    [Fact]
    public void Parse_UnrelatedUnknownKey_ListsKnownKeys()
    {
        var errors = Errors(Minimal + "\nzzzzzzzz: 1");

        Assert.Equal(["t.yaml:8:1: zzzzzzzz: unknown key; known keys are name, source, testSource, model, featurize, limits, split, train, grid, evaluate, predict, output"], errors);
    }

    [Fact]
    public void Parse_WrongTypes_NameExpectedTypeAndValue()
    {
        var yaml = Minimal + """

            train:
              maxIter: abc
              regParam: high
              fitIntercept: maybe
            featurize:
              device: cdua
              batchSize: 2.5
            """;

        var errors = Errors(yaml);

        Assert.Equal(
        [
            "t.yaml:9:12: train.maxIter: expected a whole number, got 'abc'",
            "t.yaml:10:13: train.regParam: expected a number, got 'high'",
            "t.yaml:11:17: train.fitIntercept: expected true or false, got 'maybe'",
            "t.yaml:13:11: featurize.device: expected one of auto, cpu, cuda, got 'cdua'; did you mean 'cuda'?",
            "t.yaml:14:14: featurize.batchSize: expected a whole number, got '2.5'",
        ], errors);
    }

    [Fact]
    public void Parse_MissingRequiredValues_ReportsEachWithItsPosition()
    {
        var yaml = """
            source:
              kind: folder
            model:
              prefer: [inceptionv3]
            """;

        var errors = Errors(yaml);

        Assert.Equal(
        [
            "t.yaml:1:1: source.path: missing required value; expected a text value",
            "t.yaml:1:1: output: missing required value; expected a text value",
            "t.yaml:3:1: model.name: missing required value; expected a text value",
        ], errors);
    }

    [Fact]
    public void Parse_TestFractionZero_IsAcceptedAndTrainsOnEveryRow()
    {
        var definition = Valid(Minimal + "\nsplit: {testFraction: 0}");

        Assert.Equal(0, definition.Split!.TestFraction);
    }

    [Fact]
    public void Parse_OutOfRangeNumbers_NameTheAllowedRange()
    {
        var yaml = Minimal + """

            train:
              elasticNetParam: 1.5
              maxIter: -1
            split:
              testFraction: 1
            grid:
              folds: 1
              regParam: [0.1, -0.5]
            """;

        var errors = Errors(yaml);

        Assert.Equal(
        [
            "t.yaml:9:20: train.elasticNetParam: 1.5 is out of range; allowed: from 0 to 1",
            "t.yaml:10:12: train.maxIter: -1 is out of range; allowed: from 0 to 1000000",
            "t.yaml:12:17: split.testFraction: 1 is out of range; allowed: at least 0 and less than 1",
            "t.yaml:14:10: grid.folds: 1 is out of range; allowed: from 2 to 100",
            "t.yaml:15:19: grid.regParam[1]: -0.5 is out of range; allowed: 0 or more",
        ], errors);
    }

    [Theory]
    [InlineData("../elsewhere")]
    [InlineData("a/../../elsewhere")]
    [InlineData("/etc")]
    [InlineData(".")]
    public void Parse_OutputOutsideOutputRoot_IsRejected(string output)
    {
        var errors = Errors(Minimal.Replace("output: out", $"output: {output}", StringComparison.Ordinal));

        var error = Assert.Single(errors);
        Assert.StartsWith($"t.yaml:7:9: output: '{output}' resolves to ", error, StringComparison.Ordinal);
        Assert.Contains($"which is not inside the output root '{_dir.Combine("runs")}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OutputWithDotDotInsideRoot_ResolvesToFolderUnderRoot()
    {
        var definition = Valid(Minimal.Replace("output: out", "output: a/../b", StringComparison.Ordinal));

        Assert.Equal(_dir.Combine("runs", "b"), definition.OutputPath);
    }

    [Fact]
    public void Parse_SyntaxError_ReportsItsPosition()
    {
        var yaml = """
            name: t
            source:
              kind: folder
               path: images
            """;

        var error = Assert.Single(Errors(yaml));

        Assert.StartsWith("t.yaml:4:", error, StringComparison.Ordinal);
        Assert.Contains("YAML syntax error", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Idx:", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingSourceFolder_NamesPathAndResolvedLocation()
    {
        var errors = Errors(Minimal.Replace("path: images", "path: imagez", StringComparison.Ordinal));

        Assert.Equal([$"t.yaml:4:9: source.path: folder 'imagez' not found (resolved to '{_dir.Combine("imagez")}')"], errors);
    }

    [Fact]
    public void Parse_SplitAndTestSource_IsRejected()
    {
        var yaml = Minimal + """

            split:
              seed: 1
            testSource:
              kind: folder
              path: images
            """;

        Assert.Equal(["t.yaml:10:1: testSource: give either split or testSource, not both"], Errors(yaml));
    }

    [Fact]
    public void Parse_IdxSourceWithPath_NamesTheKeysIdxTakes()
    {
        File.WriteAllBytes(_dir.Combine("i.gz"), [0]);
        File.WriteAllBytes(_dir.Combine("l.gz"), [0]);
        var yaml = Minimal.Replace("kind: folder", "kind: idx\n  images: i.gz\n  labels: l.gz", StringComparison.Ordinal);

        Assert.Equal(["t.yaml:6:3: source.path: does not apply to kind idx; give images and labels"], Errors(yaml));
    }

    [Fact]
    public void Parse_MinimalFile_FillsSparkAndServiceDefaults()
    {
        var definition = Valid(Minimal);

        Assert.Equal(LogisticRegressionOptions.Default, definition.Train);
        Assert.Equal(new SplitSettings(0.2, 42, false), definition.Split);
        Assert.Equal(16, definition.Featurize.BatchSize);
        Assert.Equal(3, definition.Featurize.Parallelism);
        Assert.Equal(InferenceDevice.Auto, definition.Featurize.Device);
        Assert.Equal(10_000, definition.Featurize.RowsPerPart);
        Assert.True(definition.Evaluate);
        Assert.Null(definition.Grid);
        Assert.Null(definition.Predict);
        Assert.Equal(_dir.Combine("images"), definition.Source.Path);
    }

    [Fact]
    public void Parse_GridWithOneList_TakesTheOtherFromTrain()
    {
        var yaml = Minimal + """

            train:
              elasticNetParam: 0.5
            grid:
              regParam: [0.01, 0.1]
              metric: accuracy
            """;

        var grid = Valid(yaml).Grid!;

        Assert.Equal([0.01, 0.1], grid.RegParam);
        Assert.Equal([0.5], grid.ElasticNetParam);
        Assert.Equal(3, grid.Folds);
        Assert.Equal(SelectionMetricKind.Accuracy, grid.Metric);
    }

    [Theory]
    [InlineData("digits.yaml")]
    [InlineData("fashion-mnist.yaml")]
    public async Task LoadAsync_ShippedPipeline_IsValid(string file)
    {
        var defaults = new RunDefaults { BaseDirectory = RepositoryRoot.Path, OutputRoot = _dir.Combine("runs") };

        var result = await PipelineFileLoader.LoadAsync(Path.Combine(RepositoryRoot.Path, "pipelines", file), defaults);

        Assert.Empty(result.Errors);
    }

    [Fact]
    public async Task LoadAsync_ShippedDigits_IsTheTutorialExperiment()
    {
        var defaults = new RunDefaults { BaseDirectory = RepositoryRoot.Path, OutputRoot = _dir.Combine("runs") };

        var digits = (await PipelineFileLoader.LoadAsync(Path.Combine(RepositoryRoot.Path, "pipelines", "digits.yaml"), defaults)).GetDefinitionOrThrow();

        Assert.Equal(LogisticRegressionOptions.Default with { MaxIter = 5, RegParam = 0.03, ElasticNetParam = 0.5 }, digits.Train);
        Assert.Equal(new SplitSettings(0.2, 42), digits.Split);
        Assert.Equal("resnet18", digits.Model.Name);
        Assert.Equal(["inceptionv3"], digits.Model.Prefer);
    }

    [Fact]
    public void Write_ResolvedConfiguration_ReadsBackToTheSameConfiguration()
    {
        var yaml = Minimal + """

            grid:
              regParam: [0.01, 0.1]
            predict:
              inputs: [images]
            """;
        var definition = Valid(yaml);

        var resolved = ResolvedPipelineYaml.Write(definition, "inceptionv3");
        var reread = PipelineFileLoader.Parse(resolved, "resolved.yaml", _defaults).GetDefinitionOrThrow();

        Assert.Equal(resolved, ResolvedPipelineYaml.Write(reread, "inceptionv3"));
        Assert.Equal("inceptionv3", reread.Model.Name);
        Assert.Equal(definition.OutputPath, reread.OutputPath);
    }

    [Fact]
    public void GetDefinitionOrThrow_InvalidFile_ThrowsWithEveryError()
    {
        var result = PipelineFileLoader.Parse("name: [", "t.yaml", _defaults);

        var e = Assert.Throws<PipelineValidationException>(result.GetDefinitionOrThrow);
        Assert.Equal(result.Errors, e.Errors);
    }

    private string[] Errors(string yaml) =>
        [.. PipelineFileLoader.Parse(yaml, "t.yaml", _defaults).Errors.Select(e => e.ToString())];

    private PipelineDefinition Valid(string yaml) =>
        PipelineFileLoader.Parse(yaml, "t.yaml", _defaults).GetDefinitionOrThrow();
}
