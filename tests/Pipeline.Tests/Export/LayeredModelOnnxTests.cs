using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Decoding;
using Pipeline.Export;
using Pipeline.Featurization;
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
        using var dir = new TempFolder();
        var output = Path.Combine(dir.Path, "predictions.parquet");
        var images = Path.Combine(ClassifierFixture.DigitsDirectory, "test");
        await PredictionJob.RunAsync(
            new PredictionJobOptions { ModelDirectory = fixture.ModelDirectory, Inputs = [images], OutputPath = output, ModelsDirectory = AppContext.BaseDirectory, Featurization = ClassifierFixture.Featurization },
            new FeaturizationCounters(),
            NullLogger.Instance,
            CancellationToken.None);
        var predicted = Predictions(output);
        var spec = fixture.Model.Spec;
        var preprocessor = new TensorPreprocessor(spec, fixture.Model.MeanImagePath);
        var decoder = new ImageDecoder();
        var paths = predicted.Keys.Order(StringComparer.Ordinal).ToArray();
        var input = new float[paths.Length * spec.ImageLength];
        for (var i = 0; i < paths.Length; i++)
        {
            using var decoded = decoder.Decode(new LabelledImage(i, paths[i], "?", 0), spec.InputSize, spec.InputSize, spec.Resize).Image!;
            preprocessor.Write(decoded.Pixels, input.AsSpan(i * spec.ImageLength, spec.ImageLength));
        }

        Assert.NotNull(fixture.Export.OnnxPath);
        using var session = new InferenceSession(fixture.Export.OnnxPath);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [paths.Length, 3, spec.InputSize, spec.InputSize]);
        using var outputs = session.Run(new RunOptions(), [spec.InputName], [value], [OnnxClassifierExporter.ProbabilitiesOutput]);
        var probabilities = outputs[0].GetTensorDataAsSpan<float>().ToArray();

        Assert.Equal(12, paths.Length);
        Assert.Equal("stage2,stage4", session.ModelMetadata.CustomMetadataMap[OnnxClassifierExporter.LayersKey]);
        var classes = fixture.Training.Model.Classes.Count;
        for (var i = 0; i < paths.Length; i++)
        {
            // float32 head (640-term sums) and softmax in the graph against predict's double head: 1e-5 absolute.
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
