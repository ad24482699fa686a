using Pipeline.Classifier;
using Pipeline.Runs;
using Pipeline.Tests.Classifier;
using Pipeline.Tests.Featurization;
using Pipeline.Tests.Runs.EndToEnd;

namespace Pipeline.Tests.Runs;

[Collection(ClassifierCollection.Name)]
public sealed class FeaturizeStageTests(ClassifierFixture fixture) : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunAsync_StreamArchivingIntoItsOwnLabelFolder_FailsBeforeTakingAnImage()
    {
        // The watched folder is the content root, whose runs/ is a label folder: archived files would land again.
        GeneratedImages.WriteFolder(_dir.Path, 2, "cat");
        Directory.CreateDirectory(_dir.Combine("runs"));
        File.WriteAllText(_dir.Combine("s.yaml"), """
            name: s
            source: { kind: watch, path: . }
            model: { name: resnet18 }
            featurize: { device: cpu }
            stream: { after: archive }
            output: s
            """);
        using var host = new RunServiceHost(_dir.Path);

        // Without the check the stream would run until stopped: the wait bounds a failing test, it times nothing.
        var result = await host.Service.RunAsync(_dir.Combine("s.yaml")).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RunState.Failed, result.State);
        Assert.Equal(
            $"stream.after: archive would move landed files into '{_dir.Combine("runs", "s", "archive")}', inside the watched folder '{_dir.Path}', where they would land again; give an output outside the watched folder, or after: keep or delete",
            result.Error);
        Assert.Equal(2, Directory.GetFiles(_dir.Combine("cat")).Length);
        Assert.False(Directory.Exists(_dir.Combine("runs", "s", "archive")));
    }

    [Fact]
    public async Task RunAsync_StreamPredictingWithAModelTrainedOnInt8Features_FailsBeforeTakingAnImage()
    {
        GeneratedImages.WriteFolder(_dir.Combine("landing"), 2, "cat");
        var saved = fixture.Training.Model;
        var model = _dir.Combine("int8-model");
        await new ClassifierModel(saved.Featurizer with { Precision = Pipeline.Inference.FeaturePrecision.Int8 }, saved.Regression, saved.Training, saved.CreatedAt)
            .SaveAsync(model, null, CancellationToken.None);
        File.WriteAllText(_dir.Combine("s.yaml"), $$"""
            name: s
            source: { kind: watch, path: landing }
            model: { name: resnet18 }
            featurize: { device: cpu }
            predict: { model: "{{model}}" }
            output: s
            """);
        using var host = new RunServiceHost(_dir.Path);

        // Without the check the stream would run until stopped: the wait bounds a failing test, it times nothing.
        var result = await host.Service.RunAsync(_dir.Combine("s.yaml")).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(RunState.Failed, result.State);
        Assert.Equal(
            $"predict.model: '{model}' was trained on int8 features, and a stream featurizes in fp32 (int8 calibrates on first images a stream does not have); give a model trained on fp32 features.",
            result.Error);
        Assert.Empty(Directory.GetFiles(_dir.Combine("runs", "s"), "*.parquet", SearchOption.AllDirectories));
        Assert.Equal(2, Directory.GetFiles(_dir.Combine("landing", "cat")).Length);
    }
}
