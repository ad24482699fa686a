using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Classifier;
using Pipeline.Decoding;
using Pipeline.Export;
using Pipeline.Featurization;
using Pipeline.Models;
using Pipeline.Prediction;
using Pipeline.Preprocessing;
using Pipeline.Sources;
using Pipeline.Tests.FeatureStore;
using Pipeline.Tests.Featurization;
using Pipeline.Tests.Models;
using Pipeline.Training;

namespace Pipeline.Tests.Classifier;

/// <summary>
/// A run's resize policy (<c>--resize</c>): recorded in the store's preprocessing, the model's
/// featurizer signature and model.onnx's metadata, found again by predict, and a store of another
/// policy refused. The images are <see cref="GeneratedImages"/>, 24–28 × 20–26, so pad and stretch
/// give different pixels.
/// </summary>
public sealed class ResizePolicyTests
{
    private const string PadDescription =
        "resize=pad centred to square with black (0,0,0), then stretch to 224x224; layout=NCHW; channels=BGR; normalization=mean-image(ResNetPreprocess.onnx:MeanImage); pooling=global-average";

    [Fact]
    public async Task PadRun_RecordsThePolicyEverywhere_AndPredictDecodesAsTrainingDid()
    {
        using var dir = new TempFolder();
        var images = Path.Combine(dir.Path, "images");
        GeneratedImages.WriteFolder(images, 8, "a", "b");
        var stretch = ShippedZoo.ResNet18();
        var pad = stretch with { Spec = stretch.Spec.WithResize(ResizeMode.Pad) };
        var store = Path.Combine(dir.Path, "store");
        var modelDirectory = Path.Combine(dir.Path, "model");
        await FeaturizationJob.RunAsync(
            await ImageSourceFactory.OpenAsync(images), pad, store, ClassifierFixture.Featurization, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);
        var training = await TrainingJob.RunAsync(
            new TrainingJobOptions
            {
                FeaturesDirectory = store,
                OutputDirectory = modelDirectory,
                ModelsDirectory = AppContext.BaseDirectory,
                TestFraction = 0,
                Evaluate = false,
                Regression = new LogisticRegressionOptions { MaxIter = 20, RegParam = 0.01 },
            },
            NullLogger.Instance,
            CancellationToken.None);
        var export = await OnnxExportJob.RunAsync(training.Model, modelDirectory, AppContext.BaseDirectory, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(PadDescription, (await ClassifierFixture.ReadStoreAsync(store)).Metadata.Preprocessing);
        var loaded = await ClassifierModel.LoadAsync(modelDirectory);
        Assert.Equal(PadDescription, loaded.Featurizer.Preprocessing);
        Assert.Equal(ResizeRule.Pad, loaded.Featurizer.Resolve(ShippedZoo.Load(), AppContext.BaseDirectory).Spec.Resize);
        Assert.NotNull(export.OnnxPath);

        // model.onnx takes the preprocessed tensor and says how to make it; fed pad-decoded images it
        // gives predict's probabilities, fed stretched ones it does not: predict used the model's pad.
        var output = Path.Combine(dir.Path, "predictions.parquet");
        await PredictionJob.RunAsync(
            new PredictionJobOptions { ModelDirectory = modelDirectory, Inputs = [images], OutputPath = output, ModelsDirectory = AppContext.BaseDirectory, Featurization = ClassifierFixture.Featurization },
            new FeaturizationCounters(),
            NullLogger.Instance,
            CancellationToken.None);
        var predicted = DuckDbQuery.Rows($"SELECT path, p_a, p_b FROM read_parquet('{output}')")
            .ToDictionary(r => (string)r[0], r => r.Skip(1).Select(Convert.ToDouble).ToArray(), StringComparer.Ordinal);
        var paths = predicted.Keys.Order(StringComparer.Ordinal).ToArray();
        using var session = new InferenceSession(export.OnnxPath);
        Assert.Equal(PadDescription, session.ModelMetadata.CustomMetadataMap[OnnxClassifierExporter.PreprocessingKey]);
        var padded = Probabilities(session, pad, paths);
        var stretched = Probabilities(session, stretch, paths);

        Assert.Equal(8, paths.Length);
        var largestStretchDifference = 0.0;
        for (var i = 0; i < paths.Length; i++)
        {
            for (var c = 0; c < 2; c++)
            {
                // float32 head and softmax in the graph against predict's double head: 1e-5 absolute.
                Assert.Equal(predicted[paths[i]][c], padded[(i * 2) + c], 1e-5);
                largestStretchDifference = Math.Max(largestStretchDifference, Math.Abs(predicted[paths[i]][c] - stretched[(i * 2) + c]));
            }
        }

        Assert.True(largestStretchDifference > 1e-3, $"stretched images gave predict's probabilities to {largestStretchDifference}");
    }

    [Fact]
    public void ThrowIfOtherThan_StoreMadeWithAnotherPolicy_IsRefusedNamingBothPreprocessings()
    {
        var spec = ShippedZoo.ResNet18().Spec;
        var stretched = SyntheticFeatures.Metadata(4) with { Preprocessing = TensorPreprocessor.Describe(spec) };
        var padSignature = FeaturizerSignature.FromMetadata(stretched with { Preprocessing = TensorPreprocessor.Describe(spec.WithResize(ResizeMode.Pad)) });

        var e = Assert.Throws<InvalidDataException>(() => padSignature.ThrowIfOtherThan(stretched, "Feature store 'x'", "the classifier expects", "featurize it with --resize pad"));

        Assert.Contains("pipeline.preprocessing 'resize=stretch to 224x224;", e.Message, StringComparison.Ordinal);
        Assert.Contains("instead of 'resize=pad centred to square with black (0,0,0), then stretch to 224x224;", e.Message, StringComparison.Ordinal);
        padSignature.ThrowIfOtherThan(stretched with { Preprocessing = padSignature.Preprocessing }, "Feature store 'x'", "the classifier expects", "-");
    }

    [Theory]
    [InlineData(ResizeMode.Stretch)]
    [InlineData(ResizeMode.Pad)]
    [InlineData(ResizeMode.CenterCrop)]
    public void Match_RecordedPolicy_IsTheSpecThatFeaturizedIt(ResizeMode mode)
    {
        var zoo = ShippedZoo.ResNet18().Spec.WithLayers(["stage4"]);
        var run = zoo.WithResize(mode) with { Pooling = FeaturePooling.SpatialPyramid };
        var signature = new FeaturizerSignature("resnet18", "sha", run.FeatureNodes, run.FeatureDimension, TensorPreprocessor.Describe(run), run.LayerNames);

        var matched = signature.Match(ShippedZoo.ResNet18().Spec, "models.yaml");

        Assert.Equal(run.Resize, matched.Resize);
        Assert.Equal(FeaturePooling.SpatialPyramid, matched.Pooling);
        Assert.Equal(TensorPreprocessor.Describe(run), TensorPreprocessor.Describe(matched));
    }

    [Fact]
    public void WithResize_CenterCropOnAStretchEntry_ScalesTheShorterSideToTheInputSize_AndTheZoosOwnModeKeepsItsRule()
    {
        var zoo = ModelZoo.LoadDefault();
        var resnet18 = zoo.Get("resnet18");
        var resnet50 = zoo.Get("resnet50");

        Assert.Equal(new ResizeRule(ResizeMode.CenterCrop, 224), resnet18.WithResize(ResizeMode.CenterCrop).Resize);
        Assert.Equal(new ResizeRule(ResizeMode.CenterCrop, 256), resnet50.WithResize(ResizeMode.CenterCrop).Resize);
        Assert.Equal(ResizeRule.Pad, resnet50.WithResize(ResizeMode.Pad).Resize);
        Assert.Same(resnet18, resnet18.WithResize(ResizeMode.Stretch));
    }

    /// <summary>model.onnx's probabilities for <paramref name="paths"/> decoded and preprocessed by <paramref name="model"/>'s spec.</summary>
    private static float[] Probabilities(InferenceSession session, ResolvedModel model, string[] paths)
    {
        var spec = model.Spec;
        var preprocessor = new TensorPreprocessor(spec, model.MeanImagePath);
        var decoder = new ImageDecoder();
        var input = new float[paths.Length * spec.ImageLength];
        for (var i = 0; i < paths.Length; i++)
        {
            using var decoded = decoder.Decode(new LabelledImage(i, paths[i], "?", 0), spec.InputSize, spec.InputSize, spec.Resize).Image!;
            preprocessor.Write(decoded.Pixels, input.AsSpan(i * spec.ImageLength, spec.ImageLength));
        }

        using var value = OrtValue.CreateTensorValueFromMemory(input, [paths.Length, 3, spec.InputSize, spec.InputSize]);
        using var outputs = session.Run(new RunOptions(), [spec.InputName], [value], [OnnxClassifierExporter.ProbabilitiesOutput]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
