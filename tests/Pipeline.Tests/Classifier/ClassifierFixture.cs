using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Classifier;
using Pipeline.Evaluation;
using Pipeline.Export;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Sources;
using Pipeline.Tests.Models;
using Pipeline.Training;

namespace Pipeline.Tests.Classifier;

/// <summary>
/// Real stores and a real model, made once for the whole collection: 28 training and 12 test
/// digits of four classes (Fixtures/Prediction/digits) featurized by the bundled ResNet18 on the
/// CPU, and a classifier trained on the first, exported and tested on the second, the three steps
/// of <c>pipeline train</c>.
/// </summary>
public sealed class ClassifierFixture : IAsyncLifetime
{
    private readonly TempFolder _root = new();

    public static string DigitsDirectory => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Prediction", "digits");

    public string Root => _root.Path;

    public string TrainStore => Path.Combine(Root, "train-store");

    public string TestStore => Path.Combine(Root, "test-store");

    public string ModelDirectory => Path.Combine(Root, "model");

    public ResolvedModel Model { get; } = ShippedZoo.ResNet18();

    public TrainingJobResult Training { get; private set; } = null!;

    public OnnxExportResult Export { get; private set; } = null!;

    public EvaluationJobResult Evaluation { get; private set; } = null!;

    public static FeaturizationOptions Featurization { get; } = new()
    {
        Inference = new InferenceOptions { Device = InferenceDevice.Cpu, BatchSize = 8 },
        Parallelism = 2,
    };

    public async Task InitializeAsync()
    {
        await FeaturizeAsync(Path.Combine(DigitsDirectory, "train"), TrainStore);
        await FeaturizeAsync(Path.Combine(DigitsDirectory, "test"), TestStore);
        var options = new TrainingJobOptions
        {
            FeaturesDirectory = TrainStore,
            TestFeaturesDirectory = TestStore,
            OutputDirectory = ModelDirectory,
            ModelsDirectory = AppContext.BaseDirectory,
            Regression = new LogisticRegressionOptions { MaxIter = 50, RegParam = 0.03, ElasticNetParam = 0.5 },
        };
        Training = await TrainingJob.RunAsync(options, NullLogger.Instance, CancellationToken.None);
        Export = await OnnxExportJob.RunAsync(Training.Model, ModelDirectory, options.ModelsDirectory, NullLogger.Instance, CancellationToken.None);
        Evaluation = (await EvaluationJob.RunAsync(Training, options, CancellationToken.None))!;
    }

    /// <summary>A copy of the model folder that a test may edit.</summary>
    public string CopyModel(string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (var file in Directory.EnumerateFiles(ModelDirectory))
        {
            File.Copy(file, Path.Combine(destination, Path.GetFileName(file)));
        }

        return destination;
    }

    /// <summary>Writes <paramref name="features"/> as a new store under other metadata (another featurizer, NaN values...).</summary>
    public static async Task WriteStoreAsync(string directory, FeatureSet features, FeatureStoreMetadata metadata, float[]? values = null)
    {
        var records = Enumerable.Range(0, features.Count)
            .Select(i => new FeatureRecord(features.Paths[i], features.Labels[i], metadata.Classes.ToList().IndexOf(features.Labels[i]), 20, 20, 100, 0))
            .ToArray();
        await using var writer = await FeatureStoreWriter.CreateAsync(directory, metadata, new FeatureStoreOptions(), CancellationToken.None);
        await writer.WriteAsync(records, values ?? features.Features, CancellationToken.None);
        await writer.CompleteAsync(CancellationToken.None);
    }

    public static async Task<FeatureSet> ReadStoreAsync(string directory) =>
        await (await FeatureStoreReader.OpenAsync(directory)).ReadAllAsync();

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }

    private async Task FeaturizeAsync(string images, string store)
    {
        var source = await ImageSourceFactory.OpenAsync(images);
        await FeaturizationJob.RunAsync(source, Model, store, Featurization, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);
    }
}
