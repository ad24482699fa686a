using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Pipeline.FeatureStore;
using Pipeline.Runs;

namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// <c>pipeline run</c> in process, wired the way the CLI wires it (Generic Host configuration,
/// <see cref="PipelineRunService"/>, the real <see cref="StagePipelineRunner"/> with the bundled ResNet18),
/// on 3 classes × 8 of the bundled digits.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PipelineRunEndToEndTests : IDisposable
{
    private const int Images = 24;

    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly TempFolder _dir = new();
    private readonly RunServiceHost _host;

    public PipelineRunEndToEndTests()
    {
        DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 3, perClass: Images / 3);
        _host = new RunServiceHost(_dir.Path);
    }

    public void Dispose()
    {
        _host.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task RunAsync_DigitsSubset_CompletesWithStageTimingsCountsMetricsModelReportAndResolvedYaml()
    {
        var file = WritePipeline(regParam: "0.03");

        var result = await Service.RunAsync(file);

        Assert.True(result.State == RunState.Completed, result.Error);
        var folder = new RunFolder(_dir.Combine("runs", "digits"));
        Assert.Equal(folder, result.Folder);

        using var json = JsonDocument.Parse(File.ReadAllText(folder.RunJson));
        var run = json.RootElement;
        Assert.Equal("completed", run.GetProperty("state").GetString());
        Assert.Equal("resnet18", run.GetProperty("model").GetString());
        Assert.Equal(1, run.GetProperty("attempt").GetInt32());
        Assert.True(run.GetProperty("seconds").GetDouble() > 0);
        Assert.Equal(["featurize", "train", "evaluate"], run.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("stage").GetString()));
        foreach (var stage in run.GetProperty("stages").EnumerateArray())
        {
            Assert.Equal("completed", stage.GetProperty("state").GetString());
            Assert.True(stage.GetProperty("seconds").GetDouble() >= 0);
            Assert.True(stage.GetProperty("finishedAt").GetDateTimeOffset() >= stage.GetProperty("startedAt").GetDateTimeOffset());
        }

        Assert.Equal(new RunCounts(Read: Images, Featurized: Images, Cached: 0, Rejected: 0), Counts(run));
        var metrics = run.GetProperty("metrics");
        Assert.Equal(
            ["accuracy", "logLoss", "macroRocAuc", "weightedF1", "weightedPrecision", "weightedRecall"],
            metrics.EnumerateObject().Select(m => m.Name).Order(StringComparer.Ordinal));

        // ResNet18 features separate 0, 1 and 2 cleanly (the run scores 1.0 on its 5 test rows); 0.6 is
        // far above the 1/3 of chance yet leaves room for a different split of 24 rows.
        Assert.InRange(metrics.GetProperty("accuracy").GetDouble(), 0.6, 1.0);
        Assert.InRange(metrics.GetProperty("weightedF1").GetDouble(), 0.6, 1.0);
        Assert.Equal(folder.Report, run.GetProperty("reportPath").GetString());
        Assert.False(run.TryGetProperty("error", out _));

        using (var reported = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Report, "metrics.json"))))
        {
            Assert.Equal(metrics.GetProperty("accuracy").GetDouble(), reported.RootElement.GetProperty("accuracy").GetDouble());
            Assert.Equal(["0", "1", "2"], reported.RootElement.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        }

        Assert.StartsWith("# Evaluation report", File.ReadAllText(Path.Combine(folder.Report, "report.md")), StringComparison.Ordinal);
        var plots = Directory.GetFiles(folder.Report, "*.png");
        Assert.Contains(Path.Combine(folder.Report, "confusion_matrix.png"), plots);
        Assert.All(plots, png => Assert.Equal(PngSignature, File.ReadAllBytes(png)[..PngSignature.Length]));

        using (var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Model, "model.json"))))
        {
            Assert.Equal(0.03, model.RootElement.GetProperty("training").GetProperty("parameters").GetProperty("regParam").GetDouble());
            Assert.Equal("resnet18", model.RootElement.GetProperty("featurizer").GetProperty("modelName").GetString());
        }

        using (var session = new InferenceSession(Path.Combine(folder.Model, "model.onnx")))
        {
            Assert.Single(session.InputMetadata);
        }

        var resolved = File.ReadAllText(folder.ResolvedConfiguration);
        Assert.Contains("batchSize: 4", resolved, StringComparison.Ordinal);
        Assert.Contains("regParam: 0.03", resolved, StringComparison.Ordinal);
        Assert.Contains($"path: \"{_dir.Combine("digits")}\"", resolved, StringComparison.Ordinal);

        // 24 rows at 8 rows per part: three complete parts, then the marker that the store is whole.
        Assert.Equal(3, Directory.GetFiles(folder.Features, "part-*.parquet").Length);
        Assert.True(File.Exists(Path.Combine(folder.Features, "_SUCCESS")));
        Assert.True(File.Exists(Path.Combine(folder.Root, "rejects.parquet")));
    }

    [Fact]
    public async Task RunAsync_SameFileWithOnlyRegParamChanged_FeaturizesNothingAndSaysSo()
    {
        var file = WritePipeline(regParam: "0.03");
        var first = await Service.RunAsync(file);
        Assert.True(first.State == RunState.Completed, first.Error);
        var folder = first.Folder!;
        var parts = Directory.GetFiles(folder.Features).Order(StringComparer.Ordinal).ToArray();
        _host.Log.Clear();

        WritePipeline(regParam: "0.5");
        var second = await Service.RunAsync(file);

        Assert.True(second.State == RunState.Completed, second.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(folder.RunJson));
        Assert.Equal("completed", json.RootElement.GetProperty("state").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("attempt").GetInt32());
        Assert.Equal(new RunCounts(Read: Images, Featurized: 0, Cached: Images, Rejected: 0), Counts(json.RootElement));
        Assert.Contains(
            $"Featurized nothing from folder {_dir.Combine("digits")}: all {Images} images were already in the feature store",
            _host.Log.Messages);
        Assert.Equal(parts, Directory.GetFiles(folder.Features).Order(StringComparer.Ordinal));

        // The cheap re-run still trains anew with the changed parameter.
        using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Model, "model.json")));
        Assert.Equal(0.5, model.RootElement.GetProperty("training").GetProperty("parameters").GetProperty("regParam").GetDouble());
        Assert.Contains("regParam: 0.5", File.ReadAllText(folder.ResolvedConfiguration), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AgainAfterTwoImagesDeletedAndOneMovedToAnotherClass_TrainsAndTestsOnTheCurrentImagesOnly()
    {
        var file = WritePipeline(regParam: "0.03");
        var first = await Service.RunAsync(file);
        Assert.True(first.State == RunState.Completed, first.Error);
        var digits = _dir.Combine("digits");
        var zeros = Directory.GetFiles(Path.Combine(digits, "0")).Order(StringComparer.Ordinal).ToArray();
        File.Delete(zeros[0]);
        File.Delete(Directory.GetFiles(Path.Combine(digits, "1")).Order(StringComparer.Ordinal).First());
        var moved = Path.Combine(digits, "2", Path.GetFileName(zeros[1]));
        File.Move(zeros[1], moved);

        var second = await Service.RunAsync(file);

        Assert.True(second.State == RunState.Completed, second.Error);
        var folder = second.Folder!;
        using var json = JsonDocument.Parse(File.ReadAllText(folder.RunJson));
        Assert.Equal(new RunCounts(Read: Images - 2, Featurized: 1, Cached: Images - 3, Rejected: 0), Counts(json.RootElement));
        using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Model, "model.json")));
        var training = model.RootElement.GetProperty("training");
        Assert.Equal(Images - 2, training.GetProperty("trainSamples").GetInt32() + training.GetProperty("testSamples").GetInt32());
        var rows = FeatureStore.DuckDbQuery.Rows($"SELECT label FROM read_parquet('{Path.Combine(folder.Features, "*.parquet")}') WHERE path = '{moved}' OR path = '{zeros[1]}'");
        Assert.Equal("2", (string)Assert.Single(rows)[0]);
    }

    [Fact]
    public async Task RunAsync_AgainAfterATestImageDeletedAndOneMoved_TestsOnTheCurrentTestImagesOnly()
    {
        var test = _dir.Combine("test");
        DigitsSubset.CopyTo(test, classes: 3, perClass: 4);
        var file = WritePipeline(regParam: "0.03", split: "testSource: {kind: folder, path: test}");
        var first = await Service.RunAsync(file);
        Assert.True(first.State == RunState.Completed, first.Error);
        var zeros = Directory.GetFiles(Path.Combine(test, "0")).Order(StringComparer.Ordinal).ToArray();
        File.Delete(zeros[0]);
        var moved = Path.Combine(test, "2", Path.GetFileName(zeros[1]));
        File.Move(zeros[1], moved);

        var second = await Service.RunAsync(file);

        // The test store is compacted like the training store: 11 rows, not the 12 of the first run
        // plus the moved image's new row.
        Assert.True(second.State == RunState.Completed, second.Error);
        var folder = second.Folder!;
        using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Model, "model.json")));
        Assert.Equal(11, model.RootElement.GetProperty("training").GetProperty("testSamples").GetInt32());
        var rows = FeatureStore.DuckDbQuery.Rows($"SELECT label FROM read_parquet('{Path.Combine(folder.Root, "test", "features", "*.parquet")}') WHERE path = '{moved}' OR path = '{zeros[1]}'");
        Assert.Equal("2", (string)Assert.Single(rows)[0]);
    }

    [Fact]
    public async Task RunAsync_Int8WithATestSource_FeaturizesTheTestImagesWithTheTrainingStoresGraph()
    {
        DigitsSubset.CopyTo(_dir.Combine("test"), classes: 3, perClass: 2);
        var file = WritePipeline(regParam: "0.03", split: "testSource: {kind: folder, path: test}", precision: "int8");

        var result = await Service.RunAsync(file);

        // Calibrated on the test images, the test store's features would come from another graph,
        // which training refuses: one graph, the training store's, makes both stores.
        Assert.True(result.State == RunState.Completed, result.Error);
        var train = (await FeatureStoreReader.OpenAsync(result.Folder!.Root)).Metadata.QuantizedGraph;
        var test = (await FeatureStoreReader.OpenAsync(Path.Combine(result.Folder.Root, "test"))).Metadata.QuantizedGraph;
        Assert.Equal(64, train.Length);
        Assert.Equal(train, test);
        Assert.Contains(_host.Log.Messages, m => m.StartsWith($"int8: The training store '{result.Folder.Root}' was featurized with ", StringComparison.Ordinal));

        // The bundled model's cache is shared by every test: the graph keyed by this test's images goes.
        File.Delete(global::Pipeline.Inference.QuantizedModelCache.For(Featurization.TestFeaturization.ResNet18.OnnxPath, Environment.GetEnvironmentVariable).Find(train)!);
    }

    [Fact]
    public async Task RunAsync_TestFractionZero_TrainsOnEveryRowAndRecordsNoMetrics()
    {
        var file = WritePipeline(regParam: "0.03", split: "split: {testFraction: 0}");

        var result = await Service.RunAsync(file);

        Assert.True(result.State == RunState.Completed, result.Error);
        var folder = new RunFolder(_dir.Combine("runs", "digits"));
        using var json = JsonDocument.Parse(File.ReadAllText(folder.RunJson));
        var run = json.RootElement;
        Assert.Equal("completed", run.GetProperty("state").GetString());
        Assert.Empty(run.GetProperty("metrics").EnumerateObject());
        Assert.False(run.TryGetProperty("reportPath", out var report) && report.ValueKind != JsonValueKind.Null);
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Report));
        using var model = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder.Model, "model.json")));
        var training = model.RootElement.GetProperty("training");
        Assert.Equal(Images, training.GetProperty("trainSamples").GetInt32());
        Assert.Equal(0, training.GetProperty("testSamples").GetInt32());
        Assert.Contains("evaluation: none", RunSummary.Describe(result.Record!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_EvaluateDisabledAfterAnEvaluatedRun_TimesNoEvaluateStageAndRemovesTheReport()
    {
        var first = await Service.RunAsync(WritePipeline(regParam: "0.03"));
        Assert.True(first.State == RunState.Completed, first.Error);
        var folder = new RunFolder(_dir.Combine("runs", "digits"));
        Assert.True(File.Exists(Path.Combine(folder.Report, "report.md")));

        var result = await Service.RunAsync(WritePipeline(regParam: "0.03", split: "evaluate: {enabled: false}"));

        Assert.True(result.State == RunState.Completed, result.Error);
        Assert.Equal([RunStage.Featurize, RunStage.Train], result.Record!.Stages.Select(s => s.Stage));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Report));
        Assert.True(File.Exists(Path.Combine(folder.Model, "model.onnx")));
    }

    private PipelineRunService Service => _host.Service;

    private static RunCounts Counts(JsonElement run)
    {
        var counts = run.GetProperty("counts");
        return new RunCounts(
            counts.GetProperty("read").GetInt64(),
            counts.GetProperty("featurized").GetInt64(),
            counts.GetProperty("cached").GetInt64(),
            counts.GetProperty("rejected").GetInt64());
    }

    private string WritePipeline(string regParam, string split = "", string precision = "fp32")
    {
        var file = _dir.Combine("digits.yaml");
        File.WriteAllText(file, $"""
            name: digits
            source:
              kind: folder
              path: digits
            model:
              name: resnet18
            featurize:
              device: cpu
              batchSize: 4
              parallelism: 2
              rowsPerPart: 8
              partSeconds: 3600
              precision: {precision}
            train:
              maxIter: 5
              regParam: {regParam}
            {split}
            output: digits
            """);
        return file;
    }
}
