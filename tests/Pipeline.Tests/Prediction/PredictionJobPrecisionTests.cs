using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Classifier;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Prediction;
using Pipeline.Sources;
using Pipeline.Tests.Featurization;
using Pipeline.Training;
using Pipeline.Tests.Runs.EndToEnd;

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
        var options = TestFeaturization.Options with { Inference = TestFeaturization.Options.Inference with { Precision = FeaturePrecision.Int8 }, CalibrationImages = 4 };
        var store = work.Combine("store");
        await FeaturizationJob.RunAsync(
            await ImageSourceFactory.OpenAsync(work.Combine("train")), TestFeaturization.ResNet18, store, options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);

        // The bundled model is found in the zoo by predict, so its cache is the test binaries' folder, shared with other tests; the temporary images' paths key this test's graph alone.
        var signature = FeaturizerSignature.FromMetadata((await FeatureStoreReader.OpenAsync(store)).Metadata);
        var models = Path.GetDirectoryName(TestFeaturization.ResNet18.OnnxPath)!;
        var graph = Path.Combine(models, $"{Path.GetFileNameWithoutExtension(TestFeaturization.ResNet18.OnnxPath)}.int8-{signature.QuantizedGraph[..16]}.onnx");
        var head = new LogisticRegressionModel(new double[2 * signature.Dimension], new double[2], signature.Dimension, classCount: 2, ["a", "b"], summary: null);
        var modelDirectory = work.Combine("model");
        await new ClassifierModel(signature, head, training: null, DateTimeOffset.UnixEpoch).SaveAsync(modelDirectory, onnxFileName: null, CancellationToken.None);
        var predict = new PredictionJobOptions
        {
            ModelDirectory = modelDirectory,
            Inputs = [work.Combine("other")],
            OutputPath = work.Combine("predictions.parquet"),
            Featurization = TestFeaturization.Options with { CalibrationImages = 4 },
        };

        // Other first images: calibrating on them would give another graph than the head was fitted to.
        var log = new CapturedLog();
        var result = await PredictionJob.RunAsync(predict, new FeaturizationCounters(), log.CreateLogger("test"), CancellationToken.None);

        Assert.Equal(6, result.Predicted);
        Assert.Contains($"int8: The training store of model '{modelDirectory}' was featurized with {graph}; featurizing with it again", log.Messages);
        Assert.DoesNotContain(log.Messages, m => m.StartsWith("int8: calibrated", StringComparison.Ordinal));
        Assert.Equal(signature, (await ClassifierModel.LoadAsync(modelDirectory)).Featurizer);

        File.Delete(graph);
        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => PredictionJob.RunAsync(predict, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None));

        Assert.Equal(
            $"The training store of model '{modelDirectory}' was featurized with the int8 graph '{Path.GetFileName(graph)}', which is in none of '{models}'; copy that file into one of them, or featurize its training images again and retrain it.",
            e.Message);
        Assert.False(File.Exists(graph));
    }
}
