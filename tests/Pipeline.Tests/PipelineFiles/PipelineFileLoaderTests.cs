using Pipeline.Featurization;
using Pipeline.Training;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Sources;
using Pipeline.Tests.Runs;
using Pipeline.Tests.Sources;
using Pipeline.PipelineFiles;

namespace Pipeline.Tests.PipelineFiles;

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

    private const string FashionMnistFolder = "/usr/share/datasets/fashion-mnist";

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

        Assert.Equal(["t.yaml:8:1: zzzzzzzz: unknown key; known keys are name, source, testSource, model, featurize, limits, stream, split, train, grid, evaluate, predict, output"], errors);
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

    [Fact]
    public void Parse_FeaturizeShard_TakesNoneAutoOrIOfNAndRefusesAnIndexPastN()
    {
        Assert.Equal("none", Valid(Minimal).Featurize.Shard);
        Assert.Equal("2/4", Valid(Minimal + "\nfeaturize: {shard: 2/4}").Featurize.Shard);
        Assert.Equal(("auto", 8), (Valid(Minimal + "\nfeaturize: {shard: auto, shardCount: 8}").Featurize.Shard, Valid(Minimal + "\nfeaturize: {shard: auto, shardCount: 8}").Featurize.ShardCount));
        Assert.Equal(
            ["t.yaml:8:20: featurize.shard: '4/4' is not a shard: N must be from 1 to 100000 and i from 0 to N-1."],
            Errors(Minimal + "\nfeaturize: {shard: 4/4}"));
    }

    [Fact]
    public void Parse_LimitsMaxDecodeSeconds_SetsTheDecodeTimeLimitAndZeroIsOutOfRange()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), Valid(Minimal).Limits.MaxDecodeTime);
        Assert.Equal(TimeSpan.FromSeconds(2.5), Valid(Minimal + "\nlimits:\n  maxDecodeSeconds: 2.5").Limits.MaxDecodeTime);
        Assert.Equal(
            ["t.yaml:9:21: limits.maxDecodeSeconds: 0 is out of range; allowed: greater than 0 and at most 86400"],
            Errors(Minimal + "\nlimits:\n  maxDecodeSeconds: 0"));
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

    [Theory]
    [InlineData("name: t\nsource: {kind: folder, path: images\nmodel:\n  name: resnet18\noutput: out\n",
        "t.yaml:3:1: YAML syntax error: '{' opened at line 2, column 9 is not closed; add '}' or quote the value")]
    [InlineData("name: t\nmodel:\n  name: resnet18\n  prefer: [inceptionv3\noutput: out\n",
        "t.yaml:5:1: YAML syntax error: '[' opened at line 4, column 11 is not closed; add ']' or quote the value")]
    [InlineData("name: t\nsource:\n  kind: folder\n [path: images\nmodel:\n  name: resnet18\n",
        "t.yaml:5:1: YAML syntax error: a '[' or '{' before this line is not closed, and this line is indented less than its block; close it or quote the value")]
    [InlineData("name: t\nsource:\n  kind: folder\n path: images\n",
        "t.yaml:4:2: YAML syntax error: While parsing a block mapping, did not find expected key.")]
    [InlineData("name: t\nsource:\n\tkind: folder\n",
        "t.yaml:3:1: YAML syntax error: While scanning a mapping, found invalid tab as indentation.")]
    [InlineData("name: t\nname: u\n",
        "t.yaml:2:1: YAML syntax error: Duplicate key name")]
    [InlineData("name: t\ntrain:\n : maxIter\n",
        "t.yaml:3:2: YAML syntax error: this mapping has an entry without a key or without a value")]
    public void Parse_BrokenSyntax_ReportsOneLineAtTheFault(string yaml, string expected)
    {
        var errors = Errors(yaml);

        Assert.Equal([expected], errors);
    }

    [Fact]
    public void Parse_MultiLineValueWhereAMappingIsDue_ReportsItOnOneLine()
    {
        var yaml = Minimal + "\ntrain: |\n  maxIter: 5\n  regParam: 0.1\n";

        var errors = Errors(yaml);

        Assert.Equal(["t.yaml:8:8: train: expected a mapping of keys (maxIter, regParam, elasticNetParam, tol, standardization, fitIntercept), got 'maxIter: 5\\nregParam: 0.1\\n'"], errors);
    }

    [Fact]
    public void Parse_ControlCharactersInAQuotedValue_AreEscapedInTheMessage()
    {
        // Printed raw, a NUL cuts the line short in many tools and an escape sequence clears the terminal.
        var yaml = Minimal.Replace("kind: folder\n  path: images", "kind: manifest\n  path: \"a\\0b\\e[2J\\tc\"", StringComparison.Ordinal);

        var errors = Errors(yaml);

        Assert.Equal(["t.yaml:4:9: source.path: manifest 'a\\u0000b\\u001B[2J\\tc' is neither a .csv nor a .parquet file"], errors);
    }

    [Fact]
    public void Parse_NestingDeeperThanAnyPipelineFile_ReportsWhereItGoesTooDeep()
    {
        // 200,000 levels fit in MaxFileBytes and overflowed YamlDotNet's recursive node loader.
        var yaml = "name: " + new string('[', 200_000) + new string(']', 200_000);

        var errors = Errors(yaml);

        Assert.Equal([$"t.yaml:1:{7 + YamlDocumentReader.MaxDepth - 1}: YAML syntax error: nested deeper than {YamlDocumentReader.MaxDepth} levels; a pipeline file needs three"], errors);
    }

    [Theory]
    [InlineData("pipeline-deeply-nested-flow-sequences.yaml", "f.yaml:1:72: YAML syntax error: nested deeper than 64 levels; a pipeline file needs three")]
    [InlineData("pipeline-unclosed-flow-sequence.yaml", "f.yaml:2:1: YAML syntax error: '[' opened at line 1, column 9 is not closed; add ']' or quote the value")]
    [InlineData("pipeline-path-with-nul.yaml", "f.yaml:1:30: source.path: the path holds the character U+0000, which no file name can hold")]
    [InlineData("pipeline-empty-key-unsupported-event.yaml", "f.yaml:1:2: YAML syntax error: this mapping has an entry without a key or without a value")]
    [InlineData("pipeline-document-end-then-scalar.yaml", "f.yaml:1:6: YAML syntax error: text after the end of the document ('...' ends a YAML document); remove it or start the value on its own line")]
    public async Task LoadAsync_FuzzFinding_ReportsOneErrorInsteadOfCrashing(string fixture, string expected)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "Fuzz", fixture);

        var result = await PipelineFileLoader.LoadAsync(path, _defaults, displayPath: "f.yaml");

        Assert.Equal([expected], result.Errors.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("output: \"a\\0b\"", "t.yaml:3:9: output: the path holds the character U+0000, which no file name can hold")]
    [InlineData("predict: {inputs: [\"a\\0.png\"]}\noutput: out", "t.yaml:3:20: predict.inputs[0]: the path holds the character U+0000, which no file name can hold")]
    public void Parse_NulInOutputOrPredictInput_IsReportedAtItsKey(string tail, string expected)
    {
        var errors = Errors($"source: {{kind: folder, path: images}}\nmodel: {{name: resnet18}}\n{tail}\n");

        Assert.Equal([expected], errors);
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

    [Theory]
    [InlineData("folder")]
    [InlineData("manifest")]
    [InlineData("watch")]
    public void Parse_PathSourceWithImagesAndLabels_NamesTheKindTheyBelongTo(string kind)
    {
        File.WriteAllBytes(_dir.Combine("m.csv"), [0]);
        var yaml = Minimal.Replace("kind: folder\n  path: images", $"kind: {kind}\n  path: {(kind == "manifest" ? "m.csv" : "images")}\n  images: i.gz\n  labels: l.gz", StringComparison.Ordinal);

        Assert.Equal(
        [
            $"t.yaml:5:3: source.images: applies only to kind idx; kind {kind} takes path",
            $"t.yaml:6:3: source.labels: applies only to kind idx; kind {kind} takes path",
        ], Errors(yaml));
    }

    [Fact]
    public void Parse_UnknownSourceKind_ListsTheKindsAndTheNearest()
    {
        var yaml = Minimal.Replace("kind: folder", "kind: folders", StringComparison.Ordinal);

        Assert.Equal(["t.yaml:3:9: source.kind: expected one of folder, manifest, idx, watch, got 'folders'; did you mean 'folder'?"], Errors(yaml));
    }

    [Fact]
    public void Parse_SourceWithoutKind_ListsTheKinds()
    {
        var yaml = Minimal.Replace("  kind: folder\n", "", StringComparison.Ordinal);

        Assert.Equal(["t.yaml:2:1: source.kind: missing required value; expected one of folder, manifest, idx, watch"], Errors(yaml));
    }

    [Fact]
    public void Parse_NoSource_SaysWhatASourceHolds()
    {
        var yaml = Minimal.Replace("source:\n  kind: folder\n  path: images\n", "", StringComparison.Ordinal);

        Assert.Equal(["t.yaml:1:1: source: missing required value; expected a mapping with kind and path (or images and labels for idx)"], Errors(yaml));
    }

    [Fact]
    public void Parse_SourceKindInCapitals_IsAccepted()
    {
        var yaml = Minimal.Replace("kind: folder", "kind: Folder", StringComparison.Ordinal);

        Assert.Equal(new FolderSourceDefinition(_dir.Combine("images")), Valid(yaml).Source);
    }

    [Fact]
    public void Write_EachSourceKind_WritesItsKindPlainAndItsPathsQuoted()
    {
        File.WriteAllBytes(_dir.Combine("m.parquet"), [0]);
        File.WriteAllBytes(_dir.Combine("i.gz"), [0]);
        File.WriteAllBytes(_dir.Combine("l.gz"), [0]);
        var yaml = Minimal.Replace("kind: folder\n  path: images", "kind: manifest\n  path: m.parquet", StringComparison.Ordinal)
            + "\ntestSource: {kind: idx, images: i.gz, labels: l.gz}\n";

        var resolved = ResolvedPipelineYaml.Write(Valid(yaml), "resnet18");

        Assert.Contains(
            $"source:\n  kind: manifest\n  path: \"{_dir.Combine("m.parquet")}\"\n"
            + $"testSource:\n  kind: idx\n  images: \"{_dir.Combine("i.gz")}\"\n  labels: \"{_dir.Combine("l.gz")}\"\nmodel:",
            resolved,
            StringComparison.Ordinal);
        Assert.Contains($"source:\n  kind: folder\n  path: \"{_dir.Combine("images")}\"\nmodel:", ResolvedPipelineYaml.Write(Valid(Minimal), "resnet18"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PredictWithTwoFolders_ReportsEachAsTheRunWouldRefuseItAfterTraining()
    {
        Directory.CreateDirectory(_dir.Combine("more"));
        File.WriteAllBytes(_dir.Combine("x.png"), [0]);
        var yaml = Minimal + "\npredict:\n  inputs: [images, x.png, more]";

        var errors = Errors(yaml);

        Assert.Equal(
        [
            "t.yaml:9:12: predict.inputs[0]: 'images' is a folder; several inputs must all be image files: give one folder or manifest alone, or image files only",
            "t.yaml:9:27: predict.inputs[2]: 'more' is a folder; several inputs must all be image files: give one folder or manifest alone, or image files only",
        ], errors);
    }

    [Fact]
    public void Parse_PredictWithOneFileOfNoKnownKind_IsRejected()
    {
        File.WriteAllBytes(_dir.Combine("notes.txt"), [0]);

        var errors = Errors(Minimal + "\npredict:\n  inputs: notes.txt");

        Assert.Equal(["t.yaml:9:11: predict.inputs[0]: 'notes.txt' is neither an image file, a folder, nor a .csv or .parquet manifest"], errors);
    }

    [Fact]
    public void Parse_PredictWithOneFolderWithoutImages_IsRejected()
    {
        Directory.CreateDirectory(_dir.Combine("empty", "cat"));
        File.WriteAllBytes(_dir.Combine("empty", "notes.txt"), [0]);

        var errors = Errors(Minimal + "\npredict:\n  inputs: [empty]");

        Assert.Equal(["t.yaml:9:12: predict.inputs[0]: 'empty' is a folder without image files, at its top level or in label subfolders"], errors);
    }

    [Fact]
    public void Parse_PredictModelInABatchRun_IsRefusedAtItsKey()
    {
        File.WriteAllText(_dir.Combine("images", "model.json"), "{}");

        var errors = Errors(Minimal + "\npredict:\n  model: images");

        Assert.Equal(["t.yaml:9:3: predict.model: applies only to a stream (a source that never ends); a batch run predicts predict.inputs with the model it trains, and `pipeline predict --model` classifies images with a saved one"], errors);
    }

    [Fact]
    public void Parse_PredictModelAndInputs_IsRefusedAtInputs()
    {
        File.WriteAllBytes(_dir.Combine("images", "d.png"), [0]);

        var errors = Errors(Minimal + "\npredict:\n  model: images\n  inputs: [images]");

        Assert.Equal(["t.yaml:10:3: predict.inputs: give either inputs (a batch run predicts them after training) or model (a stream classifies each landed image with it), not both"], errors);
    }

    [Fact]
    public void Parse_PredictModelThatIsNoModelFolder_NamesWhatIsMissing()
    {
        Assert.Equal(
            [$"t.yaml:9:10: predict.model: folder 'images' holds no model.json (resolved to '{_dir.Combine("images")}'); give a model folder written by training"],
            Errors(Minimal + "\npredict:\n  model: images"));
        Assert.Equal(
            [$"t.yaml:9:10: predict.model: folder 'nowhere' not found (resolved to '{_dir.Combine("nowhere")}')"],
            Errors(Minimal + "\npredict:\n  model: nowhere"));
    }

    [Fact]
    public void Parse_WatchSourceWithPredictInputs_IsRefusedAtInputs()
    {
        File.WriteAllBytes(_dir.Combine("images", "d.png"), [0]);
        var stream = Minimal.Replace("kind: folder", "kind: watch", StringComparison.Ordinal);

        var errors = Errors(stream + "\npredict:\n  inputs: [images]");

        Assert.Equal(["t.yaml:9:3: predict.inputs: a stream trains no model to predict inputs with after training; give predict.model, a model folder, to classify each landed image as it comes"], errors);
    }

    [Fact]
    public void Parse_WatchSourceWithInt8_IsRefusedAtPrecisionBeforeTheRunStarts()
    {
        var stream = Minimal.Replace("kind: folder", "kind: watch", StringComparison.Ordinal);

        var errors = Errors(stream + "\nfeaturize:\n  precision: int8");

        Assert.Equal(["t.yaml:9:14: featurize.precision: int8 calibrates on the source's first images, which a stream (a watch source) does not have up front; featurize a stream in fp32"], errors);
    }

    [Fact]
    public void Parse_WatchSourceWithPredictModel_IsValidWithTheModelFolderAbsolute()
    {
        Directory.CreateDirectory(_dir.Combine("model"));
        File.WriteAllText(_dir.Combine("model", "model.json"), "{}");
        var stream = Minimal.Replace("kind: folder", "kind: watch", StringComparison.Ordinal);

        var definition = Valid(stream + "\npredict:\n  model: model");

        Assert.Equal(new WatchSourceDefinition(_dir.Combine("images")), definition.Source);
        Assert.Equal(_dir.Combine("model"), definition.Predict!.Model);
    }

    [Fact]
    public void Write_StreamPredictModel_WritesTheModelFolderAlone()
    {
        var definition = Valid(Minimal) with { Predict = new PredictSettings([]) { Model = _dir.Combine("m") } };

        Assert.Contains($"predict:\n  model: \"{_dir.Combine("m")}\"\n", ResolvedPipelineYaml.Write(definition, "resnet18"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PredictWithOneFolderOrOneManifestOrImageFiles_IsValid()
    {
        File.WriteAllBytes(_dir.Combine("m.csv"), [0]);
        File.WriteAllBytes(_dir.Combine("a.png"), [0]);
        File.WriteAllBytes(_dir.Combine("b.JPG"), [0]);
        Directory.CreateDirectory(_dir.Combine("labelled", "cat"));
        File.WriteAllBytes(_dir.Combine("labelled", "cat", "c.png"), [0]);
        File.WriteAllBytes(_dir.Combine("images", "d.png"), [0]);

        Assert.Equal([_dir.Combine("images")], Valid(Minimal + "\npredict:\n  inputs: [images]").Predict!.Inputs);
        Assert.Equal([_dir.Combine("labelled")], Valid(Minimal + "\npredict:\n  inputs: [labelled]").Predict!.Inputs);
        Assert.Equal([_dir.Combine("m.csv")], Valid(Minimal + "\npredict:\n  inputs: [m.csv]").Predict!.Inputs);
        Assert.Equal([_dir.Combine("a.png"), _dir.Combine("b.JPG")], Valid(Minimal + "\npredict:\n  inputs: [a.png, b.JPG]").Predict!.Inputs);
    }

    [Theory]
    [InlineData("images.txt")]
    [InlineData("images.tsv")]
    [InlineData("images")]
    public void Parse_ManifestNeitherCsvNorParquet_IsRejectedAtItsPath(string manifest)
    {
        if (Path.HasExtension(manifest))
        {
            File.WriteAllBytes(_dir.Combine(manifest), [0]);
        }

        var yaml = Minimal.Replace("kind: folder", "kind: manifest", StringComparison.Ordinal).Replace("path: images", $"path: {manifest}", StringComparison.Ordinal);

        Assert.Equal([$"t.yaml:4:9: source.path: manifest '{manifest}' is neither a .csv nor a .parquet file"], Errors(yaml));
    }

    [Fact]
    public void Parse_UnknownModelNames_SuggestTheNearestZooModel()
    {
        var yaml = Minimal.Replace("name: resnet18", "name: resnett18\n  prefer: [inceptionv3, xceptoin]", StringComparison.Ordinal);

        Assert.Equal(
        [
            "t.yaml:6:9: model.name: unknown model 'resnett18'; did you mean 'resnet18'?",
            "t.yaml:7:25: model.prefer[1]: unknown model 'xceptoin'; did you mean 'xception'?",
        ], Errors(yaml));
    }

    [Fact]
    public void Parse_ModelLayers_KeepsThemInOrderAndRefusesUnknownOnesAndPrefer()
    {
        var layered = Minimal.Replace("name: resnet18", "name: resnet18\n  layers: [stage3, stage1]", StringComparison.Ordinal);
        var unknown = Minimal.Replace("name: resnet18", "name: resnet18\n  layers: [stage9]", StringComparison.Ordinal);
        var preferred = Minimal.Replace("name: resnet18", "name: resnet18\n  prefer: [inceptionv3]\n  layers: [stage4]", StringComparison.Ordinal);

        Assert.Equal(["stage3", "stage1"], Valid(layered).Model.Layers);
        Assert.Empty(Valid(Minimal).Model.Layers);
        Assert.Equal(["t.yaml:7:11: model.layers: Model 'resnet18' has no layer 'stage9'; its layers are: stage1, stage2, stage3, stage4."], Errors(unknown));
        Assert.Equal(["t.yaml:8:3: model.layers: layers apply to model.name; a preferred model would not have its nodes, so give them without prefer"], Errors(preferred));
    }

    [Fact]
    public void Parse_ModelPooling_TakesTheZooSpellingsAndRefusesOneThatCannotApply()
    {
        var pyramid = Minimal.Replace("name: resnet18", "name: resnet18\n  layers: [stage4]\n  pooling: spatial-pyramid", StringComparison.Ordinal);
        var misspelt = Minimal.Replace("name: resnet18", "name: resnet18\n  pooling: pyramid", StringComparison.Ordinal);
        var onFeatureNode = Minimal.Replace("name: resnet18", "name: resnet18\n  pooling: spatial-pyramid", StringComparison.Ordinal);

        Assert.Equal(Pipeline.Models.FeaturePooling.SpatialPyramid, Valid(pyramid).Model.Pooling);
        Assert.Null(Valid(Minimal).Model.Pooling);
        Assert.Equal(["t.yaml:7:12: model.pooling: 'pyramid' is not a pooling; allowed: global-average, none, spatial-pyramid"], Errors(misspelt));
        Assert.StartsWith("t.yaml:7:12: model.pooling: Pooling spatial-pyramid needs an NCHW map of at least 2x2, but 'Pooling395_Output_0'", Assert.Single(Errors(onFeatureNode)), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_ModelLayersAndPooling_RoundTripThroughTheLoader()
    {
        var yaml = Minimal.Replace("name: resnet18", "name: resnet18\n  layers: [stage4, stage2]\n  pooling: spatial-pyramid", StringComparison.Ordinal);

        var resolved = ResolvedPipelineYaml.Write(Valid(yaml), "resnet18");
        var again = Valid(resolved);

        Assert.Contains("model:\n  name: \"resnet18\"\n  layers:\n  - \"stage4\"\n  - \"stage2\"\n  pooling: \"spatial-pyramid\"\n", resolved, StringComparison.Ordinal);
        Assert.Equal(["stage4", "stage2"], again.Model.Layers);
        Assert.Equal(Pipeline.Models.FeaturePooling.SpatialPyramid, again.Model.Pooling);
    }

    [Fact]
    public void Parse_ModelResize_TakesTheZooSpellingsAppliesThePolicyAndRefusesAnUnknownOne()
    {
        var padded = Minimal.Replace("name: resnet18", "name: resnet18\n  resize: pad", StringComparison.Ordinal);
        var misspelt = Minimal.Replace("name: resnet18", "name: resnet18\n  resize: letterbox", StringComparison.Ordinal);
        var zoo = ModelZoo.LoadDefault().Get("resnet18");

        Assert.Equal(ResizeMode.Pad, Valid(padded).Model.Resize);
        Assert.Equal(ResizeRule.Pad, Valid(padded).Model.Apply(zoo).Resize);
        Assert.Null(Valid(Minimal).Model.Resize);
        Assert.Equal(zoo.Resize, Valid(Minimal).Model.Apply(zoo).Resize);
        Assert.Equal(["t.yaml:7:11: model.resize: 'letterbox' is not a resize policy; allowed: stretch, pad, center-crop"], Errors(misspelt));
    }

    [Fact]
    public void Write_ModelResize_RoundTripsThroughTheLoader()
    {
        var yaml = Minimal.Replace("name: resnet18", "name: resnet18\n  resize: center-crop", StringComparison.Ordinal);

        var resolved = ResolvedPipelineYaml.Write(Valid(yaml), "resnet18");

        Assert.Contains("model:\n  name: \"resnet18\"\n  resize: \"center-crop\"\n", resolved, StringComparison.Ordinal);
        Assert.Equal(ResizeMode.CenterCrop, Valid(resolved).Model.Resize);
        Assert.DoesNotContain("  resize:", ResolvedPipelineYaml.Write(Valid(Minimal), "resnet18"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_IdxPathsWithCommas_KeepsEachPathWhole()
    {
        File.WriteAllBytes(_dir.Combine("a,b.gz"), [0]);
        File.WriteAllBytes(_dir.Combine("c,d.gz"), [0]);
        var yaml = Minimal.Replace("kind: folder\n  path: images", "kind: idx\n  images: a,b.gz\n  labels: c,d.gz", StringComparison.Ordinal);

        var source = Valid(yaml).Source;

        Assert.Equal(new IdxSourceDefinition(_dir.Combine("a,b.gz"), _dir.Combine("c,d.gz")), source);
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
        Assert.Equal(new FolderSourceDefinition(_dir.Combine("images")), definition.Source);
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
        Assert.Equal([true], grid.Standardization);
        Assert.Equal(3, grid.Folds);
        Assert.Equal(SelectionMetricKind.Accuracy, grid.Metric);
    }

    [Fact]
    public void Parse_GridStandardization_IsAnAxisThatRoundTripsAndRefusesANonFlag()
    {
        var both = Minimal + "\ngrid:\n  standardization: [true, false]";
        var fromTrain = Minimal + "\ntrain:\n  standardization: false\ngrid:\n  regParam: [0.1]";
        var bad = Minimal + "\ngrid:\n  standardization: [true, maybe]";

        var grid = Valid(both).Grid!;
        var resolved = ResolvedPipelineYaml.Write(Valid(both), "resnet18");

        Assert.Equal([true, false], grid.Standardization);
        Assert.Equal([false], Valid(fromTrain).Grid!.Standardization);
        Assert.Contains("  standardization:\n  - true\n  - false\n", resolved, StringComparison.Ordinal);
        Assert.Equal([true, false], Valid(resolved).Grid!.Standardization);
        Assert.Equal(["t.yaml:9:27: grid.standardization[1]: expected true or false, got 'maybe'"], Errors(bad));
    }

    [Fact]
    public async Task LoadAsync_ShippedDigits_IsValid()
    {
        var defaults = new RunDefaults { BaseDirectory = RepositoryRoot.Path, OutputRoot = _dir.Combine("runs") };

        var result = await PipelineFileLoader.LoadAsync(Path.Combine(RepositoryRoot.Path, "pipelines", "digits.yaml"), defaults);

        Assert.Empty(result.Errors);
    }

    [Fact]
    public async Task LoadAsync_ShippedFashionMnistOverGeneratedIdxFiles_IsValid()
    {
        // The shipped file names Debian's dataset folder, which a fresh machine lacks: the same
        // file, pointed at a small generated IDX set of the same names, checks everything else.
        var dataset = _dir.Combine("fashion-mnist");
        foreach (var set in new[] { "train", "t10k" })
        {
            _dir.Write($"fashion-mnist/{set}-images-idx3-ubyte.gz", IdxImageSourceTests.Encode(IdxImageSourceTests.ImagesFile(1, [new byte[6]]), gzip: true));
            _dir.Write($"fashion-mnist/{set}-labels-idx1-ubyte.gz", IdxImageSourceTests.Encode(IdxImageSourceTests.LabelsFile([3]), gzip: true));
        }

        var shipped = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "pipelines", "fashion-mnist.yaml"));
        Assert.Contains(FashionMnistFolder, shipped);
        var copy = _dir.Write("fashion-mnist.yaml", System.Text.Encoding.UTF8.GetBytes(shipped.Replace(FashionMnistFolder, dataset, StringComparison.Ordinal)));
        var defaults = new RunDefaults { BaseDirectory = RepositoryRoot.Path, OutputRoot = _dir.Combine("runs") };

        var definition = (await PipelineFileLoader.LoadAsync(copy, defaults)).GetDefinitionOrThrow();

        Assert.Equal(Path.Combine(dataset, "train-images-idx3-ubyte.gz"), Assert.IsType<IdxSourceDefinition>(definition.Source).Images);
        Assert.Equal(Path.Combine(dataset, "t10k-labels-idx1-ubyte.gz"), Assert.IsType<IdxSourceDefinition>(definition.TestSource).Labels);
    }

    [SystemDatasetFact]
    public async Task LoadAsync_ShippedFashionMnistWithDebiansDataset_IsValid()
    {
        var defaults = new RunDefaults { BaseDirectory = RepositoryRoot.Path, OutputRoot = _dir.Combine("runs") };

        var result = await PipelineFileLoader.LoadAsync(Path.Combine(RepositoryRoot.Path, "pipelines", "fashion-mnist.yaml"), defaults);

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
    public async Task LoadAsync_ShippedDigitsBest_IsTheTutorialsProtocolWithTheCrossValidatedRecipe()
    {
        var defaults = new RunDefaults { BaseDirectory = RepositoryRoot.Path, OutputRoot = _dir.Combine("runs") };

        var best = (await PipelineFileLoader.LoadAsync(Path.Combine(RepositoryRoot.Path, "pipelines", "digits-best.yaml"), defaults)).GetDefinitionOrThrow();

        Assert.Equal(new SplitSettings(0.2, 42), best.Split);
        Assert.Equal(Path.Combine(RepositoryRoot.Path, "samples", "digits"), Assert.IsType<FolderSourceDefinition>(best.Source).Path);
        Assert.Equal("resnet18", best.Model.Name);
        Assert.Empty(best.Model.Prefer);
        Assert.Equal(["stage1", "stage2", "stage3", "stage4"], best.Model.Layers);
        Assert.Equal(Pipeline.Models.FeaturePooling.SpatialPyramid, best.Model.Pooling);
        Assert.NotNull(best.Grid);
    }

    [Fact]
    public void Write_ResolvedConfiguration_ReadsBackToTheSameConfiguration()
    {
        var yaml = Minimal + """

            limits:
              maxDecodeSeconds: 2.5
            split:
              testFraction: 0
            grid:
              regParam: [0.01, 0.1]
            predict:
              inputs: [images]
            """;
        File.WriteAllBytes(_dir.Combine("images", "a.png"), [0]);
        var definition = Valid(yaml);

        var resolved = ResolvedPipelineYaml.Write(definition, "inceptionv3");
        var reread = PipelineFileLoader.Parse(resolved, "resolved.yaml", _defaults).GetDefinitionOrThrow();

        Assert.Equal(resolved, ResolvedPipelineYaml.Write(reread, "inceptionv3"));
        Assert.Equal("inceptionv3", reread.Model.Name);
        Assert.Equal(definition.OutputPath, reread.OutputPath);
        Assert.Equal(TimeSpan.FromSeconds(2.5), reread.Limits.MaxDecodeTime);
        Assert.Equal(new SplitSettings(TestFraction: 0), reread.Split);
    }

    [Fact]
    public void Parse_StreamSection_IsReadAndWrittenBackToResolvedYaml()
    {
        var definition = Valid(Minimal + "\nstream:\n  maxDelaySeconds: 0.25\n  after: Archive");

        var resolved = ResolvedPipelineYaml.Write(definition, "resnet18");
        var reread = PipelineFileLoader.Parse(resolved, "resolved.yaml", _defaults).GetDefinitionOrThrow();

        Assert.Equal(new StreamSettings { MaxDelaySeconds = 0.25, After = LandedFileAction.Archive }, definition.Stream);
        Assert.Contains("stream:\n  maxDelaySeconds: 0.25\n  after: archive\n", resolved, StringComparison.Ordinal);
        Assert.Equal(definition.Stream, reread.Stream);
    }

    [Fact]
    public void Parse_StreamAfterUnknown_ListsTheChoices()
    {
        var errors = Errors(Minimal + "\nstream: {after: move}");

        Assert.Equal(["t.yaml:8:17: stream.after: expected one of keep, archive, delete, got 'move'"], errors);
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
