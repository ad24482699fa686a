using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.FeatureStore;
using Pipeline.Runs;
using Pipeline.Tests.FeatureStore;
using Pipeline.Tests.Inference;
using Pipeline.Tests.Runs.EndToEnd;
using Pipeline.PipelineFiles;

namespace Pipeline.Tests.Runs;

public sealed class PipelineRunServiceTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly string _file;

    public PipelineRunServiceTests()
    {
        Directory.CreateDirectory(_dir.Combine("images"));
        _file = _dir.Combine("p.yaml");
        File.WriteAllText(_file, """
            name: p
            source: { kind: folder, path: images }
            model: { name: resnet18, prefer: [inceptionv3] }
            train: { maxIter: 5 }
            output: p
            """);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunAsync_RunnerCompletes_WritesResolvedYamlAndCompletedRunJson()
    {
        var runner = FakeRunner.Completing();

        var result = await Service(runner).RunAsync(_file);

        Assert.Equal(RunState.Completed, result.State);
        var folder = new RunFolder(_dir.Combine("runs", "p"));
        Assert.Equal(folder, result.Folder);
        Assert.True(Directory.Exists(folder.Features) && Directory.Exists(folder.Model) && Directory.Exists(folder.Report));
        Assert.Contains("maxIter: 5", File.ReadAllText(folder.ResolvedConfiguration), StringComparison.Ordinal);

        using var json = JsonDocument.Parse(File.ReadAllText(folder.RunJson));
        var root = json.RootElement;
        Assert.Equal("completed", root.GetProperty("state").GetString());
        Assert.Equal("resnet18", root.GetProperty("model").GetString());
        Assert.Equal(10, root.GetProperty("counts").GetProperty("read").GetInt64());
        Assert.Equal(1, root.GetProperty("counts").GetProperty("rejected").GetInt64());
        Assert.Equal(0.9, root.GetProperty("metrics").GetProperty("accuracy").GetDouble());
        var stage = Assert.Single(root.GetProperty("stages").EnumerateArray());
        Assert.Equal("featurize", stage.GetProperty("stage").GetString());
        Assert.Equal("completed", stage.GetProperty("state").GetString());
        Assert.True(root.TryGetProperty("finishedAt", out _));
        Assert.False(root.TryGetProperty("error", out _));
        Assert.False(Assert.Single(runner.Calls).IsResume);
    }

    [Fact]
    public async Task RunAsync_PreferredModelPresent_UsesIt()
    {
        var runner = FakeRunner.Completing();

        await Service(runner, new PresentModels("inceptionv3")).RunAsync(_file);

        Assert.Equal("inceptionv3", Assert.Single(runner.Calls).ModelName);
        Assert.Contains("name: \"inceptionv3\"", File.ReadAllText(_dir.Combine("runs", "p", "resolved.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_RunFolderHoldsResnet18FeaturesAndPreferredModelAppeared_KeepsResnet18AndSaysSo()
    {
        var folder = new RunFolder(_dir.Combine("runs", "p"));
        await using (var writer = await FeatureStoreWriter.CreateAsync(folder.Root, SyntheticFeatures.Metadata(4), new FeatureStoreOptions(), CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 3, 3);
            await writer.CompleteAsync(CancellationToken.None);
        }

        Directory.CreateDirectory(_dir.Combine("models"));
        File.Copy(TinyClassifierFixture.DynamicBatchModel, _dir.Combine("models", "inceptionv3.onnx"));
        var runner = FakeRunner.Completing();
        using var log = new CapturedLog();

        var result = await Service(runner, new ModelFileAvailability(_dir.Combine("models")), log).RunAsync(_file);

        Assert.Equal(RunState.Completed, result.State);
        Assert.Equal("resnet18", Assert.Single(runner.Calls).ModelName);
        Assert.Equal("resnet18", result.Record!.Model);
        Assert.Contains(
            $"Run folder {folder.Root} holds resnet18 features; keeping resnet18 although inceptionv3 is available; delete the folder to switch",
            log.Messages);
    }

    [Fact]
    public async Task RunAsync_RunFolderHoldsFeaturesOfAPreferredModelWhoseFileIsGone_SaysWhyTheFolderCannotBeReused()
    {
        var folder = new RunFolder(_dir.Combine("runs", "p"));
        await using (var writer = await FeatureStoreWriter.CreateAsync(folder.Root, SyntheticFeatures.Metadata(4) with { ModelName = "inceptionv3" }, new FeatureStoreOptions(), CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 3, 3);
        }

        var runner = FakeRunner.Completing();
        using var log = new CapturedLog();

        await Service(runner, new PresentModels("resnet18"), log).RunAsync(_file);

        // The store is incomplete (an interrupted first run) and its model's file has been removed since.
        Assert.Equal("resnet18", Assert.Single(runner.Calls).ModelName);
        Assert.Contains(
            $"Run folder {folder.Root} holds inceptionv3 features, but that model is not in the models folder any more; the run uses resnet18, whose features cannot join them: restore the model file or delete the folder",
            log.Messages);
    }

    [Fact]
    public async Task RunAsync_RunFolderHoldsFeaturesOfAModelNoLongerChosen_ResolvesAsIfEmpty()
    {
        File.WriteAllText(_file, File.ReadAllText(_file).Replace("name: resnet18", "name: resnet50", StringComparison.Ordinal));
        var folder = new RunFolder(_dir.Combine("runs", "p"));
        await using (var writer = await FeatureStoreWriter.CreateAsync(folder.Root, SyntheticFeatures.Metadata(4), new FeatureStoreOptions(), CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 3, 3);
            await writer.CompleteAsync(CancellationToken.None);
        }

        var runner = FakeRunner.Completing();

        await Service(runner, new PresentModels("resnet18", "inceptionv3")).RunAsync(_file);

        // resnet18 is not a choice of the file any more: the featurize stage refuses the store, naming it.
        Assert.Equal("inceptionv3", Assert.Single(runner.Calls).ModelName);
    }

    [Fact]
    public async Task RunAsync_RunnerThrows_RecordsFailedWithTheMessageAndEndsTheStage()
    {
        var runner = new FakeRunner(async (_, journal, _) =>
        {
            await journal.BeginStageAsync(RunStage.Train);
            throw new InvalidDataException("features/part-0001.parquet: column 'features' is missing");
        });

        var result = await Service(runner).RunAsync(_file);

        Assert.Equal(RunState.Failed, result.State);
        Assert.Equal("features/part-0001.parquet: column 'features' is missing", result.Error);
        Assert.Equal(RunState.Failed, Assert.Single(result.Record!.Stages).State);
        Assert.Contains("\"state\": \"failed\"", File.ReadAllText(result.Folder!.RunJson), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CancelledThenRunAgain_RecordsInterruptedThenResumesAsAttemptTwo()
    {
        using var stop = new CancellationTokenSource();
        var interrupting = new FakeRunner(async (_, journal, ct) =>
        {
            await journal.BeginStageAsync(RunStage.Featurize);
            await stop.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return FakeRunner.Outcome;
        });

        var first = await Service(interrupting).RunAsync(_file, cancellationToken: stop.Token);
        var resuming = FakeRunner.Completing();
        var second = await Service(resuming).RunAsync(_file);

        Assert.Equal(RunState.Interrupted, first.State);
        Assert.Equal(RunState.Interrupted, Assert.Single(first.Record!.Stages).State);
        Assert.True(Assert.Single(resuming.Calls).IsResume);
        Assert.Equal(RunState.Completed, second.State);
        Assert.Equal(2, second.Record!.Attempt);
    }

    /// <summary>
    /// What a process dying during run.json's one in-place rewrite (a failed run on a full disk) leaves: a
    /// prefix of the JSON, from nothing to all but its last byte. The next run must read it as no run.json.
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.01)]
    [InlineData(0.5)]
    [InlineData(0.99)]
    public async Task RunAsync_RunJsonTornByAnInPlaceRewrite_StartsAfreshAtAttemptOne(double kept)
    {
        using var stop = new CancellationTokenSource();
        var interrupting = new FakeRunner(async (_, _, ct) =>
        {
            await stop.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return FakeRunner.Outcome;
        });
        var first = await Service(interrupting).RunAsync(_file, cancellationToken: stop.Token);
        var json = File.ReadAllBytes(first.Folder!.RunJson);
        File.WriteAllBytes(first.Folder.RunJson, json[..(int)(json.Length * kept)]);
        var next = FakeRunner.Completing();

        var second = await Service(next).RunAsync(_file);

        Assert.Equal(RunState.Interrupted, first.State);
        Assert.False(Assert.Single(next.Calls).IsResume);
        Assert.Equal(RunState.Completed, second.State);
        Assert.Equal(1, second.Record!.Attempt);
        Assert.Contains("\"state\": \"completed\"", File.ReadAllText(second.Folder!.RunJson), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CompletedRunRunAgain_IsANewRunAtAttemptOne()
    {
        await Service(FakeRunner.Completing()).RunAsync(_file);
        var rerun = FakeRunner.Completing();

        var second = await Service(rerun).RunAsync(_file);

        Assert.False(Assert.Single(rerun.Calls).IsResume);
        Assert.Equal(RunState.Completed, second.State);
        Assert.Equal(1, second.Record!.Attempt);
        Assert.Contains("\"attempt\": 1,", File.ReadAllText(second.Folder!.RunJson), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_InvalidFile_FailsWithEveryErrorAndCreatesNoRunFolder()
    {
        File.WriteAllText(_file, "source: { kind: folder, path: images }\nmodel: { name: resnet18 }\ntrain: { maxIter: x }\n");
        var runner = FakeRunner.Completing();

        var result = await Service(runner).RunAsync(_file, displayPath: "inbox/p.yaml");

        Assert.Equal(RunState.Failed, result.State);
        Assert.Equal(
            "inbox/p.yaml:1:1: output: missing required value; expected a text value" + Environment.NewLine +
            "inbox/p.yaml:3:19: train.maxIter: expected a whole number, got 'x'",
            result.Error);
        Assert.Empty(runner.Calls);
        Assert.False(Directory.Exists(_dir.Combine("runs")));
    }

    private PipelineRunService Service(IPipelineRunner runner, IModelAvailability? models = null, ILoggerProvider? log = null) => new(
        runner,
        new RunDefaults { BaseDirectory = _dir.Path, OutputRoot = _dir.Combine("runs") },
        "models",
        models ?? new PresentModels(),
        TimeProvider.System,
        log is null ? NullLogger<PipelineRunService>.Instance : new LoggerFactory([log]).CreateLogger<PipelineRunService>());

    private sealed class PresentModels(params string[] present) : IModelAvailability
    {
        public bool IsAvailable(string modelName) => present.Contains(modelName);
    }
}
