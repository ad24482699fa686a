using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Decoding;
using Pipeline.Export;
using Pipeline.Classifier;
using Pipeline.Featurization;
using Pipeline.Models;
using Pipeline.Prediction;
using Pipeline.Preprocessing;
using Pipeline.Sources;
using Pipeline.Tests.Classifier;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Export;

[Collection(LayeredClassifierFixture.Name)]
public sealed class LayeredModelOnnxTests(LayeredClassifierFixture fixture)
{
    [Fact]
    public async Task ModelOnnx_TwoLayers_GivesPredictsProbabilitiesTo1e5()
    {
        Assert.NotNull(fixture.Export.OnnxPath);
        await AssertModelOnnxMatchesPredictAsync(fixture.ModelDirectory, fixture.Model, fixture.Export.OnnxPath, fixture.Training.Model.Classes.Count);
    }

    /// <summary>The pooling digits-best.yaml ships: the 2x2 pyramid, whose cells overlap on stage4's odd 7x7 map.</summary>
    [Fact]
    public async Task ModelOnnx_TwoLayersWithSpatialPyramid_GivesPredictsProbabilitiesTo1e5()
    {
        using var dir = new TempFolder();
        var model = fixture.Model with { Spec = fixture.Model.Spec with { Pooling = FeaturePooling.SpatialPyramid } };
        var stores = new Dictionary<string, string>();
        foreach (var images in new[] { "train", "test" })
        {
            stores[images] = Path.Combine(dir.Path, images + "-store");
            var source = await ImageSourceFactory.OpenAsync(Path.Combine(ClassifierFixture.DigitsDirectory, images));
            await FeaturizationJob.RunAsync(source, model, stores[images], ClassifierFixture.Featurization, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);
        }

        var modelDirectory = Path.Combine(dir.Path, "model");
        var training = await TrainingJob.RunAsync(
            fixture.Options(stores["train"], modelDirectory) with { TestFeaturesDirectory = stores["test"] }, NullLogger.Instance, CancellationToken.None);
        var export = await OnnxExportJob.RunAsync(training.Model, modelDirectory, AppContext.BaseDirectory, NullLogger.Instance, CancellationToken.None);

        Assert.Equal((5 * 128) + (5 * 512), training.Model.Featurizer.Dimension);
        Assert.NotNull(export.OnnxPath);
        await AssertModelOnnxMatchesPredictAsync(modelDirectory, model, export.OnnxPath, training.Model.Classes.Count);
    }

    private static async Task AssertModelOnnxMatchesPredictAsync(string modelDirectory, ResolvedModel model, string onnxPath, int classes)
    {
        using var dir = new TempFolder();
        var output = Path.Combine(dir.Path, "predictions.parquet");
        var images = Path.Combine(ClassifierFixture.DigitsDirectory, "test");
        await PredictionJob.RunAsync(
            new PredictionJobOptions { ModelDirectory = modelDirectory, Inputs = [images], OutputPath = output, ModelsDirectory = AppContext.BaseDirectory, Featurization = ClassifierFixture.Featurization },
            new FeaturizationCounters(),
            NullLogger.Instance,
            CancellationToken.None);
        var predicted = Predictions(output);
        var spec = model.Spec;
        var preprocessor = new TensorPreprocessor(spec, model.MeanImagePath);
        var decoder = new ImageDecoder();
        var paths = predicted.Keys.Order(StringComparer.Ordinal).ToArray();
        var input = new float[paths.Length * spec.ImageLength];
        for (var i = 0; i < paths.Length; i++)
        {
            using var decoded = decoder.Decode(new LabelledImage(i, paths[i], "?", 0), spec.InputSize, spec.InputSize, spec.Resize).Image!;
            preprocessor.Write(decoded.Pixels, input.AsSpan(i * spec.ImageLength, spec.ImageLength));
        }

        using var session = new InferenceSession(onnxPath);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [paths.Length, 3, spec.InputSize, spec.InputSize]);
        using var outputs = session.Run(new RunOptions(), [spec.InputName], [value], [OnnxClassifierExporter.ProbabilitiesOutput]);
        var probabilities = outputs[0].GetTensorDataAsSpan<float>().ToArray();

        Assert.Equal(12, paths.Length);
        Assert.Equal("stage2,stage4", session.ModelMetadata.CustomMetadataMap[OnnxClassifierExporter.LayersKey]);
        for (var i = 0; i < paths.Length; i++)
        {
            // float32 head (sums over every feature) and softmax in the graph against predict's double head: 1e-5 absolute.
            for (var c = 0; c < classes; c++)
            {
                Assert.Equal(predicted[paths[i]][c], probabilities[(i * classes) + c], 1e-5);
            }
        }
    }

    /// <summary>Each image's probabilities (columns p_0..p_3, the four digit classes), read by DuckDB, which shares no code with the writer.</summary>
    private static Dictionary<string, double[]> Predictions(string file) =>
        DuckDbQuery.Rows($"SELECT path, p_0, p_1, p_2, p_3 FROM read_parquet('{file}')")
            .ToDictionary(r => (string)r[0], r => r.Skip(1).Select(Convert.ToDouble).ToArray(), StringComparer.Ordinal);
}
