using DuckDB.NET.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Pipeline.Classifier;
using Pipeline.Decoding;
using Pipeline.Export;
using Pipeline.Featurization;
using Pipeline.IO;
using Pipeline.Preprocessing;
using Pipeline.Prediction;
using Pipeline.Sources;
using Pipeline.Tests.Classifier;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Prediction;

[Collection(ClassifierCollection.Name)]
public sealed class PredictionJobTests(ClassifierFixture fixture)
{
    private static string TestImages => Path.Combine(ClassifierFixture.DigitsDirectory, "test");

    [Fact]
    public async Task RunAsync_FolderPerClass_ProbabilitiesEqualTheModelOnTheStoredFeatures()
    {
        using var dir = new TempFolder();
        var output = Path.Combine(dir.Path, "predictions.parquet");

        var result = await PredictAsync(fixture.ModelDirectory, [TestImages], output);

        Assert.Equal(12, result.Predicted);
        Assert.Equal(0, result.Rejected);
        Assert.Equal(["predictions.parquet"], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName));
        var rows = ReadPredictions(output);
        var test = await ClassifierFixture.ReadStoreAsync(fixture.TestStore);
        var expected = fixture.Training.Model.PredictProbabilities(test);
        Assert.Equal(test.Paths.Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        for (var i = 0; i < test.Count; i++)
        {
            var row = rows[test.Paths[i]];
            Assert.Equal(test.Labels[i], row.Label);
            // The same graph on the same CPU featurizes the same file the same way: 1e-9 leaves room only for summation order.
            for (var c = 0; c < 4; c++)
            {
                Assert.Equal(expected[(i * 4) + c], row.Probabilities[c]!.Value, 1e-9);
            }

            var best = Enumerable.Range(0, 4).MaxBy(c => expected[(i * 4) + c]);
            Assert.Equal(best.ToString(), row.Predicted);
            Assert.Equal(expected[(i * 4) + best], row.Probability!.Value, 1e-9);
        }
    }

    [Fact]
    public async Task RunAsync_FolderWithABrokenImage_KeepsNoFeatureStoreAndEqualsTheModelOnAFeaturizedStore()
    {
        using var dir = new TempFolder();
        var images = dir.Combine("images");
        foreach (var file in Directory.EnumerateFiles(TestImages, "*", SearchOption.AllDirectories))
        {
            dir.Write(Path.Combine("images", Path.GetRelativePath(TestImages, file)), await File.ReadAllBytesAsync(file));
        }

        var broken = dir.Write(Path.Combine("images", "2", "broken.png"), "not a png"u8.ToArray());
        var output = dir.Combine("out", "predictions.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        using var watcher = new FolderWatcher(Path.GetDirectoryName(output)!);

        var result = await PredictAsync(fixture.ModelDirectory, [images], output);

        // Every entry the job made beside its output, at any moment: the lock, the hidden temporary
        // file renamed into place, the file; never a feature store (the old path's .predictions.parquet.features).
        var made = await watcher.StopAsync();
        Assert.Contains(".predictions.parquet.lock", made);
        Assert.All(made, name => Assert.Matches(@"^(\.predictions\.parquet\.lock|\.predictions\.parquet\.[0-9a-f]{32}\.tmp)$", name));
        Assert.Equal(["predictions.parquet"], Directory.EnumerateFileSystemEntries(Path.GetDirectoryName(output)!).Select(Path.GetFileName));
        Assert.Equal((12, 1), (result.Predicted, result.Rejected));

        // What the old path did: featurize into a store, read it back, apply the model.
        var store = dir.Combine("store");
        var source = await ImageSourceFactory.OpenAsync(images);
        await FeaturizationJob.RunAsync(source, fixture.Model, store, ClassifierFixture.Featurization, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None);
        var features = await ClassifierFixture.ReadStoreAsync(store);
        var expected = fixture.Training.Model.PredictProbabilities(features);
        var rows = ReadPredictions(output);
        Assert.Equal(features.Paths.Append(broken).Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        for (var i = 0; i < features.Count; i++)
        {
            var row = rows[features.Paths[i]];
            Assert.Equal(features.Labels[i], row.Label);
            for (var c = 0; c < 4; c++)
            {
                // Same images, same graph, same CPU: 1e-6 is far below any difference a changed feature would make.
                Assert.Equal(expected[(i * 4) + c], row.Probabilities[c]!.Value, 1e-6);
            }
        }

        // Predictions first, then the rejects.
        Assert.Equal(broken, ReadPathsInFileOrder(output)[^1]);
        Assert.Equal(RejectStages.Decode, rows[broken].RejectStage);
    }

    [Fact]
    public async Task RunAsync_StoppedAfterTheFirstBatch_AbandonsTheRestAndLeavesNothing()
    {
        using var dir = new TempFolder();
        const int Copies = 5;
        foreach (var file in Directory.EnumerateFiles(TestImages, "*", SearchOption.AllDirectories))
        {
            for (var copy = 0; copy < Copies; copy++)
            {
                var name = $"{Path.GetFileNameWithoutExtension(file)}-{copy}{Path.GetExtension(file)}";
                dir.Write(Path.Combine("images", Path.GetFileName(Path.GetDirectoryName(file)!), name), await File.ReadAllBytesAsync(file));
            }
        }

        var output = dir.Combine("out", "predictions.parquet");
        var counters = new FeaturizationCounters();
        using var stop = new CancellationTokenSource();
        var stopping = Task.Run(async () =>
        {
            while (counters.Featurized == 0 && !stop.IsCancellationRequested)
            {
                await Task.Delay(1);
            }

            await stop.CancelAsync();
        });

        try
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => PredictionJob.RunAsync(
                new PredictionJobOptions { ModelDirectory = fixture.ModelDirectory, Inputs = [dir.Combine("images")], OutputPath = output, ModelsDirectory = AppContext.BaseDirectory, Featurization = ClassifierFixture.Featurization },
                counters,
                NullLogger.Instance,
                stop.Token));
        }
        finally
        {
            // A job that failed otherwise must not leave the poller waiting for a batch.
            await stop.CancelAsync();
            await stopping;
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Combine("out")));
        Assert.InRange(counters.Featurized, 1, (12 * Copies) - 1);
    }

    [Fact]
    public async Task ModelOnnx_RunByOnnxRuntime_GivesThePredictedProbabilities()
    {
        using var dir = new TempFolder();
        var output = Path.Combine(dir.Path, "predictions.parquet");
        await PredictAsync(fixture.ModelDirectory, [TestImages], output);
        var rows = ReadPredictions(output);
        var spec = fixture.Model.Spec;
        var preprocessor = new TensorPreprocessor(spec, fixture.Model.MeanImagePath);
        var decoder = new ImageDecoder();
        var paths = rows.Keys.Order(StringComparer.Ordinal).ToArray();
        var input = new float[paths.Length * spec.ImageLength];
        for (var i = 0; i < paths.Length; i++)
        {
            using var decoded = decoder.Decode(new LabelledImage(i, paths[i], "?", 0), spec.InputSize, spec.InputSize, spec.Resize).Image!;
            preprocessor.Write(decoded.Pixels, input.AsSpan(i * spec.ImageLength, spec.ImageLength));
        }

        using var session = new InferenceSession(Path.Combine(fixture.ModelDirectory, ClassifierModel.OnnxFileName));
        using var value = OrtValue.CreateTensorValueFromMemory(input, [paths.Length, 3, spec.InputSize, spec.InputSize]);
        using var outputs = session.Run(new RunOptions(), [spec.InputName], [value], [OnnxClassifierExporter.ProbabilitiesOutput]);
        var probabilities = outputs[0].GetTensorDataAsSpan<float>().ToArray();

        for (var i = 0; i < paths.Length; i++)
        {
            // float32 head (512-term sums) and softmax in the graph against the double head: 1e-5 absolute.
            for (var c = 0; c < 4; c++)
            {
                Assert.Equal(rows[paths[i]].Probabilities[c]!.Value, probabilities[(i * 4) + c], 1e-5);
            }
        }
    }

    [Fact]
    public async Task RunAsync_TwoShards_WriteAFileEachThatTogetherHoldEveryImageOnce()
    {
        using var dir = new TempFolder();
        var output = Path.Combine(dir.Path, "predictions.parquet");
        var predicted = 0;
        for (var i = 0; i < 2; i++)
        {
            var result = await PredictionJob.RunAsync(
                new PredictionJobOptions
                {
                    ModelDirectory = fixture.ModelDirectory,
                    Inputs = [TestImages],
                    OutputPath = output,
                    ModelsDirectory = AppContext.BaseDirectory,
                    Featurization = ClassifierFixture.Featurization with { Shard = new Shard(i, 2) },
                },
                new FeaturizationCounters(),
                NullLogger.Instance,
                CancellationToken.None);
            Assert.Equal(Path.Combine(dir.Path, $"predictions-shard-{i}-of-2.parquet"), result.OutputPath);
            Assert.InRange(result.Predicted, 1, 11);
            predicted += result.Predicted;
        }

        var paths = Enumerable.Range(0, 2).SelectMany(i => ReadPredictions(Path.Combine(dir.Path, $"predictions-shard-{i}-of-2.parquet")).Keys).ToArray();
        var test = await ClassifierFixture.ReadStoreAsync(fixture.TestStore);
        Assert.Equal(12, predicted);
        Assert.Equal(test.Paths.Order(StringComparer.Ordinal), paths.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ImageFilesWithABrokenOne_ListsTheRejectWithoutLabels()
    {
        using var dir = new TempFolder();
        var good = Directory.EnumerateFiles(Path.Combine(TestImages, "2")).Order(StringComparer.Ordinal).First();
        var broken = Path.Combine(dir.Path, "broken.png");
        await File.WriteAllTextAsync(broken, "not a png");
        var output = Path.Combine(dir.Path, "out", "predictions.parquet");

        var result = await PredictAsync(fixture.ModelDirectory, [good, broken], output);

        Assert.Equal(1, result.Predicted);
        Assert.Equal(1, result.Rejected);
        var rows = ReadPredictions(output);
        var predicted = rows[good];
        Assert.Null(predicted.Label);
        Assert.NotNull(predicted.Predicted);
        Assert.Null(predicted.RejectStage);
        Assert.Equal(1.0, predicted.Probabilities.Sum(p => p!.Value), 1e-12);
        var rejected = rows[broken];
        Assert.Null(rejected.Predicted);
        Assert.Null(rejected.Probability);
        Assert.All(rejected.Probabilities, p => Assert.Null(p));
        Assert.Equal(RejectStages.Decode, rejected.RejectStage);
    }

    [Fact]
    public async Task RunAsync_ModelOfAnotherFeaturizer_RefusesBeforeFeaturizing()
    {
        using var dir = new TempFolder();
        var model = fixture.CopyModel(Path.Combine(dir.Path, "model"));
        await ClassifierModelTests.EditAsync(model, json => json["featurizer"]!["modelSha256"] = new string('a', 64));
        var output = Path.Combine(dir.Path, "predictions.parquet");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => PredictAsync(model, [TestImages], output));

        Assert.Contains($"was trained on features of ONNX SHA-256 {new string('a', 64)} (resnet18), but '{fixture.Model.OnnxPath}' has SHA-256 {fixture.Training.Model.Featurizer.ModelSha256}", error.Message);
        Assert.Equal(["model"], Directory.EnumerateFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public async Task RunAsync_AnotherWriterHoldsThePredictionsFile_FailsNamingItAndLeavesItsStoreAlone()
    {
        using var dir = new TempFolder();
        var output = Path.Combine(dir.Path, "predictions.parquet");
        var store = dir.Combine(".predictions.parquet.features");
        Directory.CreateDirectory(store);

        // What a second predict process into the same file meets: the first's lock (flock excludes within one process too).
        using (FolderLock.TryAcquire(dir.Path, ".predictions.parquet.lock", out _))
        {
            var error = await Assert.ThrowsAsync<IOException>(() => PredictAsync(fixture.ModelDirectory, [TestImages], output));

            Assert.Equal(
                $"Predictions '{output}' are being written by another process (pid {Environment.ProcessId}); one process at a time writes them.",
                error.Message);
            Assert.True(Directory.Exists(store));
        }
    }

    [Fact]
    public async Task RunAsync_ImageFilesGivenOutOfOrderAndTwice_WritesOneRowPerPathInPathOrder()
    {
        using var dir = new TempFolder();
        var files = Directory.EnumerateFiles(TestImages, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Take(6).ToArray();
        string[] inputs = [files[5], files[2], files[0], files[4], files[2], files[1], files[3], files[5]];

        var first = await PredictAsync(fixture.ModelDirectory, inputs, dir.Combine("first.parquet"));
        await PredictAsync(fixture.ModelDirectory, [.. inputs.Reverse()], dir.Combine("second.parquet"));

        Assert.Equal(6, first.Predicted);
        Assert.Equal(files, ReadPathsInFileOrder(dir.Combine("first.parquet")));
        Assert.Equal(files, ReadPathsInFileOrder(dir.Combine("second.parquet")));
        var again = ReadPredictions(dir.Combine("second.parquet"));
        foreach (var (path, row) in ReadPredictions(dir.Combine("first.parquet")))
        {
            Assert.Equal(row.Predicted, again[path].Predicted);
            Assert.Equal(row.Probability!.Value, again[path].Probability!.Value, 1e-9);
        }
    }

    private static Task<PredictionJobResult> PredictAsync(string model, string[] inputs, string output) =>
        PredictionJob.RunAsync(
            new PredictionJobOptions { ModelDirectory = model, Inputs = inputs, OutputPath = output, ModelsDirectory = AppContext.BaseDirectory, Featurization = ClassifierFixture.Featurization },
            new FeaturizationCounters(),
            NullLogger.Instance,
            CancellationToken.None);

    /// <summary>The predictions file read by DuckDB, which shares no code with the writer.</summary>
    private static Dictionary<string, PredictionRow> ReadPredictions(string file)
    {
        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT path, label, predicted_label, probability, p_0, p_1, p_2, p_3, reject_stage, reject_reason FROM read_parquet('{file}')";
        using var reader = command.ExecuteReader();
        var rows = new Dictionary<string, PredictionRow>();
        while (reader.Read())
        {
            string? Text(int i) => reader.IsDBNull(i) ? null : reader.GetString(i);
            double? Number(int i) => reader.IsDBNull(i) ? null : reader.GetDouble(i);
            rows.Add(reader.GetString(0), new PredictionRow(Text(1), Text(2), Number(3), [Number(4), Number(5), Number(6), Number(7)], Text(8), Text(9)));
        }

        return rows;
    }

    private static List<string> ReadPathsInFileOrder(string file) =>
        DuckDbQuery.Rows($"SELECT path FROM read_parquet('{file}', file_row_number = true) ORDER BY file_row_number").Select(r => (string)r[0]).ToList();

    private sealed record PredictionRow(string? Label, string? Predicted, double? Probability, double?[] Probabilities, string? RejectStage, string? RejectReason);
}
