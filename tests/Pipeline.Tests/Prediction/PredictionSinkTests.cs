using Pipeline.Classifier;
using Pipeline.FeatureStore;
using Pipeline.Featurization;
using Pipeline.Prediction;
using Pipeline.Training;

namespace Pipeline.Tests.Prediction;

public sealed class PredictionSinkTests
{
    private static readonly string Sha = new('c', 64);

    [Fact]
    public async Task CompleteAsync_ANaNFeature_NamesItsRowInPathOrderNotInArrivalOrder()
    {
        var model = Model();
        using var stream = new MemoryStream();
        var writer = await PredictionWriter.CreateAsync(stream, model, CancellationToken.None);
        await using var _ = writer;
        var sink = new PredictionSink(model, writer, labelled: true, "Features of 'input'");

        // Arrival b, c, a: in path order c is row 2, as the predictions file and a run of any other arrival order number it.
        await sink.WriteAsync(Batch(("b", [1f, 2f, 3f]), ("c", [1f, float.NaN, 3f])), CancellationToken.None);
        await sink.WriteAsync(Batch(("a", [1f, 2f, 3f])), CancellationToken.None);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => sink.CompleteAsync(CancellationToken.None));
        Assert.Equal("Features of 'input' row 2 ('c') has feature 1 = NaN; features must be finite.", error.Message);
        Assert.Equal(0, writer.Predicted);
    }

    private static FeaturizedBatch Batch(params (string Path, float[] Features)[] rows) => new(
        rows.Select(r => new FeatureRecord(r.Path, "yes", 1, 8, 8, 100, 0)).ToArray(),
        rows.SelectMany(r => r.Features).ToArray(),
        dimension: 3,
        rejects: []);

    private static ClassifierModel Model() => new(
        new FeaturizerSignature("resnet18", Sha, "node", 3, "stretch"),
        new LogisticRegressionModel(new double[6], new double[2], featureCount: 3, classCount: 2, ["no", "yes"], summary: null),
        training: null,
        DateTimeOffset.UnixEpoch);
}
