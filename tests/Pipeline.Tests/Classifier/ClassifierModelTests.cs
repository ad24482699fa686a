using System.Text.Json.Nodes;
using Pipeline.Classifier;
using Pipeline.Training;

namespace Pipeline.Tests.Classifier;

[Collection(ClassifierCollection.Name)]
public sealed class ClassifierModelTests(ClassifierFixture fixture)
{
    [Fact]
    public async Task LoadAsync_FolderWrittenByTraining_RoundTripsEveryField()
    {
        var saved = fixture.Training.Model;

        var loaded = await ClassifierModel.LoadAsync(fixture.ModelDirectory);

        Assert.Equal(["0", "1", "2", "3"], loaded.Classes);
        Assert.Equal(saved.Featurizer, loaded.Featurizer);
        var store = await ClassifierFixture.ReadStoreAsync(fixture.TrainStore);
        Assert.Equal(FeaturizerSignature.FromMetadata(store.Metadata), loaded.Featurizer);
        // Doubles are written in their shortest round-trip form, so they come back bit-equal.
        Assert.Equal(saved.Regression.Coefficients, loaded.Regression.Coefficients);
        Assert.Equal(saved.Regression.Intercepts, loaded.Regression.Intercepts);
        var training = Assert.IsType<ClassifierTraining>(loaded.Training);
        Assert.Equal(saved.Training!.ObjectiveHistory, training.ObjectiveHistory);
        Assert.Equal(saved.Training.Parameters, training.Parameters);
        Assert.Equal(0.03, training.Parameters.RegParam);
        Assert.Equal(28, training.TrainSamples);
        Assert.Equal(12, training.TestSamples);
        Assert.Equal(training.ObjectiveHistory.Count - 1, training.Iterations);
        Assert.Equal(fixture.Training.Summary.StopReason, training.StopReason);
        Assert.Null(training.GridSearch);
        Assert.Equal(Path.Combine(fixture.ModelDirectory, ClassifierModel.OnnxFileName), loaded.OnnxPath);
    }

    [Fact]
    public async Task LoadAsync_Int8Featurizer_RoundTripsThePrecisionAndAnOlderFileIsFp32()
    {
        using var dir = new TempFolder();
        var saved = fixture.Training.Model;
        var int8 = new ClassifierModel(saved.Featurizer with { Precision = Pipeline.Inference.FeaturePrecision.Int8 }, saved.Regression, saved.Training, saved.CreatedAt);

        await int8.SaveAsync(dir.Path, null, CancellationToken.None);
        var loaded = await ClassifierModel.LoadAsync(dir.Path);

        Assert.Equal(Pipeline.Inference.FeaturePrecision.Int8, loaded.Featurizer.Precision);
        var file = Path.Combine(dir.Path, ClassifierModel.ModelFileName);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        Assert.Equal("Int8", json["featurizer"]!["precision"]!.GetValue<string>());
        // A model.json written before precisions existed has no key: its features were fp32.
        json["featurizer"]!.AsObject().Remove("precision");
        await File.WriteAllTextAsync(file, json.ToJsonString());
        Assert.Equal(Pipeline.Inference.FeaturePrecision.Fp32, (await ClassifierModel.LoadAsync(dir.Path)).Featurizer.Precision);
    }

    [Fact]
    public async Task LoadAsync_ModelJsonFromBeforeLayers_ReadsTheZoosFeatureNodeAndPredictsAsBefore()
    {
        using var dir = new TempFolder();
        var legacy = Path.Combine(dir.Path, "legacy");
        Directory.CreateDirectory(legacy);
        foreach (var file in new[] { ClassifierModel.ModelFileName, ClassifierModel.OnnxFileName })
        {
            File.Copy(Path.Combine(fixture.ModelDirectory, file), Path.Combine(legacy, file));
        }

        await EditAsync(legacy, json =>
        {
            Assert.Equal("", json["featurizer"]!["layers"]!.GetValue<string>());
            json["featurizer"]!.AsObject().Remove("layers");
        });

        var loaded = await ClassifierModel.LoadAsync(legacy);
        var spec = loaded.Featurizer.Resolve(Tests.Models.ShippedZoo.Load(), AppContext.BaseDirectory).Spec;

        Assert.Equal("", loaded.Featurizer.Layers);
        Assert.Empty(spec.Layers);
        Assert.Equal("Pooling395_Output_0", spec.FeatureNodes);
        Assert.Equal(fixture.Training.Model.Featurizer, loaded.Featurizer);
        Assert.Equal(await PredictAsync(fixture.ModelDirectory, dir.Combine("now.parquet")), await PredictAsync(legacy, dir.Combine("legacy.parquet")));
    }

    [Fact]
    public async Task LoadAsync_NoModelJson_NamesTheFile()
    {
        using var dir = new TempFolder();

        var error = await Assert.ThrowsAsync<FileNotFoundException>(() => ClassifierModel.LoadAsync(dir.Path));

        Assert.Contains("has no model.json", error.Message);
    }

    [Fact]
    public async Task LoadAsync_CorruptJson_NamesTheFile()
    {
        using var dir = new TempFolder();
        var model = fixture.CopyModel(Path.Combine(dir.Path, "model"));
        await File.WriteAllTextAsync(Path.Combine(model, "model.json"), "{ \"formatVersion\": 1, ");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ClassifierModel.LoadAsync(model));

        Assert.Contains(Path.Combine(model, "model.json"), error.Message);
        Assert.Contains("not a valid model.json", error.Message);
    }

    [Fact]
    public async Task LoadAsync_MissingFeaturizer_NamesTheKey()
    {
        using var dir = new TempFolder();
        var model = fixture.CopyModel(Path.Combine(dir.Path, "model"));
        await EditAsync(model, json => json.AsObject().Remove("featurizer"));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ClassifierModel.LoadAsync(model));

        Assert.Contains("'featurizer'", error.Message);
    }

    [Fact]
    public async Task LoadAsync_CoefficientsOfWrongLength_NamesTheKey()
    {
        using var dir = new TempFolder();
        var model = fixture.CopyModel(Path.Combine(dir.Path, "model"));
        await EditAsync(model, json => json["model"]!["coefficients"]!.AsArray().RemoveAt(0));

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => ClassifierModel.LoadAsync(model));

        Assert.Contains("invalid 'model': coefficients must hold classCount × featureCount = 2048 values.", error.Message);
    }

    [Fact]
    public void GridSearchTable_Render_ListsEveryPointAndMarksTheChosenOne()
    {
        var options = LogisticRegressionOptions.Default;
        GridPointResult[] points =
        [
            new(options with { RegParam = 0.01 }, [0.5, 0.7], 0.6, 0.1414),
            new(options with { RegParam = 0.1, Standardization = false }, [0.8, 0.8], 0.8, 0),
        ];

        var table = GridSearchTable.Render(new GridSearchResult(points, points[1], fixture.Training.Model.Regression), SelectionMetricKind.Accuracy, 2);

        var rows = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, rows.Length);
        Assert.Equal("| regParam | elasticNetParam | standardization | accuracy mean (2 folds) | std | chosen |", rows[0]);
        Assert.Equal("| 0.01 | 0 | true | 0.6000 | 0.1414 |  |", rows[2]);
        Assert.Equal("| 0.1 | 0 | false | 0.8000 | 0.0000 | * |", rows[3]);
    }

    /// <summary>predict's rows (path, predicted label, its probability) for the fixture's test digits, read by DuckDB.</summary>
    private static async Task<List<object[]>> PredictAsync(string modelDirectory, string output)
    {
        await Pipeline.Prediction.PredictionJob.RunAsync(
            new Pipeline.Prediction.PredictionJobOptions
            {
                ModelDirectory = modelDirectory,
                Inputs = [Path.Combine(ClassifierFixture.DigitsDirectory, "test")],
                OutputPath = output,
                ModelsDirectory = AppContext.BaseDirectory,
                Featurization = ClassifierFixture.Featurization,
            },
            new Pipeline.Featurization.FeaturizationCounters(),
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance,
            CancellationToken.None);
        return Tests.FeatureStore.DuckDbQuery.Rows($"SELECT path, p_0, p_1, p_2, p_3 FROM read_parquet('{output}') ORDER BY path");
    }

    internal static async Task EditAsync(string modelDirectory, Action<JsonNode> edit)
    {
        var file = Path.Combine(modelDirectory, ClassifierModel.ModelFileName);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        edit(json);
        await File.WriteAllTextAsync(file, json.ToJsonString());
    }
}
