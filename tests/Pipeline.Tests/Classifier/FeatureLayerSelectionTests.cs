using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Classifier;
using Pipeline.Evaluation;
using Pipeline.FeatureStore;
using Pipeline.Tests.FeatureStore;
using Pipeline.Tests.Models;

namespace Pipeline.Tests.Classifier;

/// <summary>Layers in the store metadata and the model's featurizer signature, and training on some of a store's layers.</summary>
[Collection(LayeredClassifierFixture.Name)]
public sealed class FeatureLayerSelectionTests(LayeredClassifierFixture fixture)
{
    [Fact]
    public async Task LayeredStoreAndModel_RecordTheLayers_AndReadThemBack()
    {
        var store = await ClassifierFixture.ReadStoreAsync(fixture.TrainStore);
        var loaded = await ClassifierModel.LoadAsync(fixture.ModelDirectory);

        Assert.Equal("stage2,stage4", store.Metadata.Layers);
        Assert.Equal("ReLU315_Output_0,ReLU393_Output_0", store.Metadata.FeatureNode);
        Assert.Equal(128 + 512, store.Metadata.Dimension);
        Assert.Equal(FeaturizerSignature.FromMetadata(store.Metadata), fixture.Training.Model.Featurizer);
        Assert.Equal(fixture.Training.Model.Featurizer, loaded.Featurizer);
        Assert.Equal("stage2,stage4", loaded.Featurizer.Layers);
        var resolved = loaded.Featurizer.Resolve(ShippedZoo.Load(), AppContext.BaseDirectory).Spec;
        Assert.Equal(LayeredClassifierFixture.Layers, resolved.Layers.Select(l => l.Name));
        Assert.Equal(640, resolved.FeatureDimension);
    }

    [Fact]
    public void KeyValues_SingleNodeStore_HasNoLayersKeyAndReadsBackEmpty()
    {
        var single = SyntheticFeatures.Metadata(4);
        var layered = single with { Layers = "stage1,stage4" };

        var singleKeys = FeatureStoreKeyValues.ToKeyValues(single);
        var layeredKeys = FeatureStoreKeyValues.ToKeyValues(layered);

        Assert.DoesNotContain(FeatureStoreKeyValues.Layers, singleKeys.Keys);
        Assert.Equal("stage1,stage4", layeredKeys[FeatureStoreKeyValues.Layers]);
        Assert.Equal(single, FeatureStoreKeyValues.Parse(singleKeys, "p") with { Classes = single.Classes });
        Assert.Equal("", FeatureStoreKeyValues.Parse(singleKeys, "p").Layers);
        Assert.Equal("stage1,stage4", FeatureStoreKeyValues.Parse(layeredKeys, "p").Layers);
    }

    [Fact]
    public async Task LabelsFor_StoreMadeWithOtherLayers_IsRefusedByTheModelNamingTheLayers()
    {
        using var dir = new TempFolder();
        var stage4 = FeatureLayerSelection.Select(await ClassifierFixture.ReadStoreAsync(fixture.TestStore), ["stage4"], ShippedZoo.Load(), "test store");
        await ClassifierFixture.WriteStoreAsync(dir.Path, stage4, stage4.Metadata);
        var other = await ClassifierFixture.ReadStoreAsync(dir.Path);

        var e = Assert.Throws<InvalidDataException>(
            () => FeatureCompatibility.LabelsFor(fixture.Training.Model.Featurizer, fixture.Training.Model.Classes, other, "Feature store 'x'"));

        Assert.Equal(
            "Feature store 'x' was featurized by another featurizer than the classifier expects: it has "
            + "pipeline.feature_node 'ReLU393_Output_0' instead of 'ReLU315_Output_0,ReLU393_Output_0', "
            + "pipeline.layers 'stage4' instead of 'stage2,stage4', pipeline.dimension 512 instead of 640; "
            + "featurize it with model 'resnet18' --layers stage2,stage4, the same preprocessing and --precision fp32.",
            e.Message);
    }

    [Fact]
    public async Task Select_OneOfTheStoresLayers_IsItsColumnsDescribedAsAStoreOfThatLayer()
    {
        var store = await ClassifierFixture.ReadStoreAsync(fixture.TrainStore);

        var stage4 = FeatureLayerSelection.Select(store, ["stage4"], ShippedZoo.Load(), "store");
        var swapped = FeatureLayerSelection.Select(store, ["stage4", "stage2"], ShippedZoo.Load(), "store");

        Assert.Equal(store.Metadata with { Layers = "stage4", FeatureNode = "ReLU393_Output_0", Dimension = 512 }, stage4.Metadata);
        Assert.Same(store, FeatureLayerSelection.Select(store, ["stage2", "stage4"], ShippedZoo.Load(), "store"));
        for (var row = 0; row < store.Count; row++)
        {
            Assert.Equal(store.GetFeatures(row)[128..].ToArray(), stage4.GetFeatures(row).ToArray());
            Assert.Equal([.. store.GetFeatures(row)[128..].ToArray(), .. store.GetFeatures(row)[..128].ToArray()], swapped.GetFeatures(row).ToArray());
        }

        Assert.Equal(store.Paths, stage4.Paths);
        Assert.Equal(store.LabelIndices, stage4.LabelIndices);
    }

    [Fact]
    public async Task Select_LayerTheStoreLacksOrAStoreWithoutLayers_IsRefused()
    {
        using var dir = new TempFolder();
        var store = await ClassifierFixture.ReadStoreAsync(fixture.TrainStore);
        var stage4 = FeatureLayerSelection.Select(store, ["stage4"], ShippedZoo.Load(), "s");
        await ClassifierFixture.WriteStoreAsync(dir.Path, stage4, stage4.Metadata with { Layers = "", FeatureNode = "Pooling395_Output_0" });
        var single = await ClassifierFixture.ReadStoreAsync(dir.Path);

        var lacking = Assert.Throws<InvalidDataException>(() => FeatureLayerSelection.Select(store, ["stage1"], ShippedZoo.Load(), "Feature store 's'"));
        var none = Assert.Throws<InvalidDataException>(() => FeatureLayerSelection.Select(single, ["stage4"], ShippedZoo.Load(), "Feature store 't'"));

        Assert.Equal("Feature store 's' holds layers stage2,stage4, not stage1; featurize with those layers to train on them.", lacking.Message);
        Assert.Equal(
            "Feature store 't' was featurized from model 'resnet18''s feature node 'Pooling395_Output_0', not from layers, so layers stage4 cannot be taken from it; featurize it with --layers.",
            none.Message);
    }

    [Fact]
    public async Task TrainingJob_Layers_TrainsOnTheirColumnsAndRecordsThemInTheModel()
    {
        using var dir = new TempFolder();
        var options = fixture.Options(fixture.TrainStore, dir.Path) with { Layers = ["stage4"] };

        var result = await TrainingJob.RunAsync(options, NullLogger.Instance, CancellationToken.None);

        Assert.Equal("stage4", result.Model.Featurizer.Layers);
        Assert.Equal(512, result.Model.Featurizer.Dimension);
        Assert.Equal(512, result.Model.Regression.FeatureCount);
        Assert.Equal(512, result.Test!.Dimension);
        Assert.Equal("stage4", (await ClassifierModel.LoadAsync(dir.Path)).Featurizer.Layers);
    }

    [Fact]
    public async Task EvaluationJob_ModelTrainedOnOneOfTheStoresLayers_ScoresTheStoreAsTrainingsTestRows()
    {
        using var dir = new TempFolder();
        var modelDirectory = Path.Combine(dir.Path, "model");
        var options = fixture.Options(fixture.TrainStore, modelDirectory) with { Layers = ["stage4"], ReportDirectory = Path.Combine(dir.Path, "train-report") };
        var training = await TrainingJob.RunAsync(options, NullLogger.Instance, CancellationToken.None);
        var duringTraining = await EvaluationJob.RunAsync(training, options, CancellationToken.None);

        var evaluated = await EvaluationJob.RunAsync(
            new EvaluationJobOptions { ModelDirectory = modelDirectory, FeaturesDirectory = fixture.TestStore, ReportDirectory = Path.Combine(dir.Path, "report") },
            NullLogger.Instance,
            CancellationToken.None);

        Assert.Equal(duringTraining!.Evaluation.SampleCount, evaluated.Evaluation.SampleCount);
        Assert.Equal(duringTraining.Evaluation.Accuracy, evaluated.Evaluation.Accuracy);
    }
}
