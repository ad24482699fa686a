using Pipeline.Classifier;
using Pipeline.Decoding;
using Pipeline.Prediction;
using Pipeline.Tests.FeatureStore;
using Pipeline.Training;

namespace Pipeline.Tests.Prediction;

public sealed class PredictionWriterTests
{
    /// <summary>Two short of a row group, so that the rejects straddle the boundary and the second group starts from reused buffers.</summary>
    private const int Predictions = 65_536 - 2;

    private const int Rejects = 5;

    private static readonly string Sha = new('c', 64);

    [Fact]
    public async Task CompleteAsync_MoreRowsThanAGroup_WritesPredictionsThenRejectsWithTheOtherColumnsNull()
    {
        using var dir = new TempFolder();
        var file = dir.Combine("predictions.parquet");
        await using (var stream = File.Create(file))
        {
            var writer = await PredictionWriter.CreateAsync(stream, Model(), CancellationToken.None);
            for (var i = 0; i < Predictions; i++)
            {
                var yes = YesOf(i);
                await writer.WritePredictionAsync($"img-{i}", i % 2 == 0 ? "yes" : null, [1 - yes, yes], CancellationToken.None);
            }

            for (var i = 0; i < Rejects; i++)
            {
                await writer.WriteRejectAsync(new Reject($"bad-{i}", RejectStages.Decode, $"reason {i}"), CancellationToken.None);
            }

            await writer.CompleteAsync(CancellationToken.None);
            Assert.Equal((Predictions, Rejects), (writer.Predicted, writer.Rejected));
        }

        var rows = DuckDbQuery.Rows(
            $"SELECT path, label, predicted_label, probability, p_no, p_yes, reject_stage, reject_reason FROM read_parquet('{file}', file_row_number = true) ORDER BY file_row_number");
        Assert.Equal(Predictions + Rejects, rows.Count);
        for (var i = 0; i < Predictions; i++)
        {
            var yes = YesOf(i);
            object label = i % 2 == 0 ? "yes" : DBNull.Value;
            object[] expected = [$"img-{i}", label, yes > 0.5 ? "yes" : "no", Math.Max(yes, 1 - yes), 1 - yes, yes, DBNull.Value, DBNull.Value];
            Assert.Equal(expected, rows[i]);
        }

        for (var i = 0; i < Rejects; i++)
        {
            object[] expected = [$"bad-{i}", DBNull.Value, DBNull.Value, DBNull.Value, DBNull.Value, DBNull.Value, RejectStages.Decode, $"reason {i}"];
            Assert.Equal(expected, rows[Predictions + i]);
        }

        Assert.Equal(2, DuckDbQuery.Count($"SELECT count(DISTINCT row_group_id) FROM parquet_metadata('{file}')"));
        var metadata = DuckDbQuery.Rows($"SELECT decode(key), decode(value) FROM parquet_kv_metadata('{file}')").ToDictionary(r => (string)r[0], r => (string)r[1]);
        Assert.Equal("[\"no\",\"yes\"]", metadata[PredictionWriter.ClassesKey]);
        Assert.Equal(Sha, metadata[PredictionWriter.FeaturizerKey]);
    }

    [Fact]
    public async Task WritePredictionAsync_AfterAReject_Throws()
    {
        using var stream = new MemoryStream();
        var writer = await PredictionWriter.CreateAsync(stream, Model(), CancellationToken.None);
        await writer.WriteRejectAsync(new Reject("bad", RejectStages.Read, "gone"), CancellationToken.None);

        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.WritePredictionAsync("img", null, [0.5, 0.5], CancellationToken.None));
    }

    [Fact]
    public async Task CreateAsync_ManyClassesFewRows_AllocatesForTheRowsNotAWholeGroup()
    {
        // 100 classes: a whole group's buffers, sized up front, are 100 × 65,536 nullable doubles, over 100 MB.
        string[] classes = [.. Enumerable.Range(0, 100).Select(c => $"c{c:D3}")];
        using var stream = new MemoryStream();

        // The writer's buffers are made before CreateAsync's first await, so on this thread.
        var before = GC.GetAllocatedBytesForCurrentThread();
        var creating = PredictionWriter.CreateAsync(stream, Model(classes), CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var writer = await creating;
        await writer.WritePredictionAsync("img", null, [.. Enumerable.Repeat(0.01, classes.Length)], CancellationToken.None);
        await writer.CompleteAsync(CancellationToken.None);

        Assert.InRange(allocated, 0, 1 << 20);
        Assert.Equal(1, writer.Predicted);
    }

    /// <summary>P(yes) from 0.05 to 0.95, never a tie.</summary>
    private static double YesOf(int row) => ((row % 10) / 10.0) + 0.05;

    private static ClassifierModel Model() => Model(["no", "yes"]);

    private static ClassifierModel Model(string[] classes) => new(
        new FeaturizerSignature("resnet18", Sha, "node", 3, "stretch"),
        new LogisticRegressionModel(new double[3 * classes.Length], new double[classes.Length], featureCount: 3, classCount: classes.Length, classes, summary: null),
        training: null,
        DateTimeOffset.UnixEpoch);
}
