using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Classifier;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Prediction;
using Pipeline.Sources;
using Pipeline.Tests.Featurization;
using Pipeline.Training;

namespace Pipeline.Tests.Prediction;

/// <summary>Predicting with a head fitted to int8 features: the featurizer must be the training store's quantized graph.</summary>
public sealed class PredictionJobPrecisionTests
{
    [Fact]
    public async Task RunAsync_Int8Model_FeaturizesWithTheTrainingStoresGraphAndRefusesOnceItIsGone()
    {
        using var work = new TempFolder();
        GeneratedImages.WriteFolder(work.Combine("train"), 4, "a", "b");
        GeneratedImages.WriteFolder(work.Combine("other"), 6, "b", "a");
        var models = Directory.CreateDirectory(work.Combine("models")).FullName;
        File.Copy(TestFeaturization.ResNet18.OnnxPath, Path.Combine(models, "resnet18.onnx"));
        var options = TestFeaturization.Options with { Inference = TestFeaturization.Options.Inference with { Precision = FeaturePrecision.Int8 }, CalibrationImages = 4 };
        var store = work.Combine("store");
        await FeaturizationJob.RunAsync(
            await ImageSourceFactory.OpenAsync(work.Combine("train")), TestFeaturization.ResNet18 with { OnnxPath = Path.Combine(models, "resnet18.onnx") }, store, options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);
        var graph = Assert.Single(Directory.GetFiles(models, "resnet18.int8-*.onnx"));
        var signature = FeaturizerSignature.FromMetadata((await FeatureStoreReader.OpenAsync(store)).Metadata);
        var head = new LogisticRegressionModel(new double[2 * signature.Dimension], new double[2], signature.Dimension, classCount: 2, ["a", "b"], summary: null);
        var modelDirectory = work.Combine("model");
        await new ClassifierModel(signature, head, training: null, DateTimeOffset.UnixEpoch).SaveAsync(modelDirectory, onnxFileName: null, CancellationToken.None);
        var predict = new PredictionJobOptions
        {
            ModelDirectory = modelDirectory,
            Inputs = [work.Combine("other")],
            OutputPath = work.Combine("predictions.parquet"),
            ModelsDirectory = models,
            Featurization = TestFeaturization.Options with { CalibrationImages = 4 },
        };

        // Other first images: calibrating on them would give another graph than the head was fitted to.
        var result = await PredictionJob.RunAsync(predict, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);

        Assert.Equal(6, result.Predicted);
        Assert.Equal([graph], Directory.GetFiles(models, "resnet18.int8-*.onnx"));
        Assert.Equal(signature, (await ClassifierModel.LoadAsync(modelDirectory)).Featurizer);

        File.Delete(graph);
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => PredictionJob.RunAsync(predict, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None));

        Assert.Equal(
            $"The training store of model '{modelDirectory}' was featurized with the int8 graph '{Path.GetFileName(graph)}', which is in none of '{models}'; copy that file into one of them, or featurize its training images again and retrain it.",
            e.Message);
        Assert.Empty(Directory.GetFiles(models, "resnet18.int8-*.onnx"));
    }
}
