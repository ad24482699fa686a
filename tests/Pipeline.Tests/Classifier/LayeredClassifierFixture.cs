using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Classifier;
using Pipeline.Export;
using Pipeline.Featurization;
using Pipeline.Models;
using Pipeline.Sources;
using Pipeline.Tests.Models;
using Pipeline.Training;

namespace Pipeline.Tests.Classifier;

/// <summary>
/// <see cref="ClassifierFixture"/>'s digits featurized with two ResNet18 stages (stage2, stage4:
/// 128 + 512 columns) in one pass, and a classifier trained on them and exported, once for the
/// collection <see cref="Name"/>.
/// </summary>
public sealed class LayeredClassifierFixture : IAsyncLifetime
{
    public const string Name = "layered classifier";

    private readonly TempFolder _root = new();

    public static IReadOnlyList<string> Layers { get; } = ["stage2", "stage4"];

    public string Root => _root.Path;

    public string TrainStore => Path.Combine(Root, "train-store");

    public string TestStore => Path.Combine(Root, "test-store");

    public string ModelDirectory => Path.Combine(Root, "model");

    public ResolvedModel Model { get; } = Layered(ShippedZoo.ResNet18());

    public TrainingJobResult Training { get; private set; } = null!;

    public OnnxExportResult Export { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        foreach (var (images, store) in new[] { ("train", TrainStore), ("test", TestStore) })
        {
            var source = await ImageSourceFactory.OpenAsync(Path.Combine(ClassifierFixture.DigitsDirectory, images));
            await FeaturizationJob.RunAsync(source, Model, store, ClassifierFixture.Featurization, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);
        }

        Training = await TrainingJob.RunAsync(Options(TrainStore, ModelDirectory), NullLogger.Instance, CancellationToken.None);
        Export = await OnnxExportJob.RunAsync(Training.Model, ModelDirectory, AppContext.BaseDirectory, NullLogger.Instance, CancellationToken.None);
    }

    /// <summary>Training on <paramref name="store"/>, tested on the layered test store, with a short fit.</summary>
    public TrainingJobOptions Options(string store, string output) => new()
    {
        FeaturesDirectory = store,
        TestFeaturesDirectory = TestStore,
        OutputDirectory = output,
        ModelsDirectory = AppContext.BaseDirectory,
        Regression = new LogisticRegressionOptions { MaxIter = 30, RegParam = 0.01, ElasticNetParam = 0 },
    };

    private static ResolvedModel Layered(ResolvedModel model) => model with { Spec = model.Spec.WithLayers(Layers) };

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The test classes that share one <see cref="LayeredClassifierFixture"/>.</summary>
[CollectionDefinition(LayeredClassifierFixture.Name)]
public sealed class LayeredClassifierCollection : ICollectionFixture<LayeredClassifierFixture>;
