using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Classifier;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Prediction;
using Pipeline.Tests.Classifier;
using Pipeline.Tests.FeatureStore;
using Pipeline.Tests.Featurization;

namespace Pipeline.Tests.Prediction;

/// <summary>
/// A stream's online predictions (<see cref="StreamPredictions"/>) over the endless
/// <see cref="LandingSource"/>, with the real ResNet18 and the fixture's trained classifier: one
/// row per landed image in the predictions part numbered as its feature part, a restart over what
/// a kill leaves, and a model of another featurizer refused before any image is read.
/// </summary>
[Collection(ClassifierCollection.Name)]
public sealed class StreamPredictionsTests(ClassifierFixture fixture) : IDisposable
{
    /// <summary>An upper bound for a loaded machine, never a timing assertion.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    private readonly TempFolder _landing = new();
    private readonly TempFolder _output = new();

    private string FeaturesDirectory => FeatureStoreLayout.FeaturesDirectory(_output.Path);

    private string PredictionsDirectory => Path.Combine(_output.Path, "predictions");

    private IReadOnlyList<string> Classes => fixture.Training.Model.Classes;

    public void Dispose()
    {
        _landing.Dispose();
        _output.Dispose();
    }

    [Fact]
    public async Task RunAsync_ImagesAndARejectLanding_EachHasOneRowInThePredictionsPartOfItsFeaturePart()
    {
        var source = new LandingSource([.. Classes]);
        var counters = new FeaturizationCounters();
        using var stop = new CancellationTokenSource();
        var run = StartAsync(source, fixture.ModelDirectory, stop.Token, counters);
        var digits = Digits();
        var landed = new List<string>();
        foreach (var wave in new[] { digits[..5], digits[5..6], digits[6..] })
        {
            landed.AddRange(wave.Select(d => Land(source, d.File, d.Label)));
            await Poll.UntilAsync(() => counters.Featurized == landed.Count, Patience, Interval, () => ThrowIfEnded(run));
        }

        // Alone in its micro-batch: a part of rejects only still has its (empty) feature part.
        var corrupt = LandCorrupt(source, Classes[0]);
        await Poll.UntilAsync(() => counters.Rejected == 1, Patience, Interval, () => ThrowIfEnded(run));
        await stop.CancelAsync();
        await run.WaitAsync(Patience);

        var rows = await AssertEachPartPredictsItsFeaturesAsync();
        Assert.Equal(landed.Append(corrupt).Order(StringComparer.Ordinal), rows.Select(r => r.Path).Order(StringComparer.Ordinal));
        var reject = Assert.Single(rows, r => r.Stage is not null);
        Assert.Equal((corrupt, "decode"), (reject.Path, reject.Stage));
        Assert.NotNull(reject.Reason);
        Assert.All(rows.Where(r => r.Stage is null), r => Assert.Equal(digits.Single(d => r.Path.EndsWith(Path.GetFileName(d.File), StringComparison.Ordinal)).Label, r.Label));
    }

    /// <summary>
    /// The states a SIGKILL can leave, made by hand after a stream: the last micro-batch's
    /// predictions part renamed but not its feature part (the kill came between the renames), a
    /// predictions part half-written (a hidden temporary file), and a rejected image still in the
    /// landing folder, which a restart rejects again. The restart deletes the orphan and the
    /// temporary file, redoes the uncommitted images into the part of the same number, and gives
    /// the reject no second row.
    /// </summary>
    [Fact]
    public async Task RunAsync_RestartOverWhatAKillLeaves_CleansOrphanAndHalfWrittenPartsAndPredictsEachImageOnce()
    {
        var digits = Digits();
        var first = new LandingSource([.. Classes]);
        var counters = new FeaturizationCounters();
        var landed = new List<(string Path, string Label)>();
        string corrupt;
        using (var stop = new CancellationTokenSource())
        {
            var run = StartAsync(first, fixture.ModelDirectory, stop.Token, counters);
            corrupt = LandCorrupt(first, Classes[1]);
            await Poll.UntilAsync(() => counters.Rejected == 1, Patience, Interval, () => ThrowIfEnded(run));
            foreach (var wave in new[] { digits[..4], digits[4..7] })
            {
                landed.AddRange(wave.Select(d => (Land(first, d.File, d.Label), d.Label)));
                await Poll.UntilAsync(() => counters.Featurized == landed.Count, Patience, Interval, () => ThrowIfEnded(run));
            }

            await stop.CancelAsync();
            await run.WaitAsync(Patience);
        }

        var (last, lastPart) = FeatureStoreLayout.FindParts(FeaturesDirectory, FeatureStoreLayout.ParquetExtension)[^1];
        var uncommitted = PathsOf(lastPart);
        Assert.NotEmpty(uncommitted);
        File.Delete(lastPart);
        var orphan = StreamPredictions.PartPath(PredictionsDirectory, last);
        Assert.True(File.Exists(orphan));
        var halfWritten = Path.Combine(PredictionsDirectory, $".part-{last + 1:D5}.parquet.0123.tmp");
        File.WriteAllBytes(halfWritten, "PAR1"u8.ToArray());

        var second = new LandingSource([.. Classes]);
        var again = new FeaturizationCounters();
        using (var stop = new CancellationTokenSource())
        {
            var run = StartAsync(second, fixture.ModelDirectory, stop.Token, again);
            await second.Reading.WaitAsync(Patience);

            // The orphan went before any image was read, so no reader following the parts sees it.
            Assert.False(File.Exists(orphan));
            Assert.False(File.Exists(halfWritten));
            second.Land(corrupt, Classes[1]);
            foreach (var (path, label) in landed)
            {
                second.Land(path, label);
            }

            await Poll.UntilAsync(() => again.Read == landed.Count + 1 && again.Featurized + again.Cached == landed.Count && again.Rejected == 1, Patience, Interval, () => ThrowIfEnded(run));
            await stop.CancelAsync();
            await run.WaitAsync(Patience);
        }

        Assert.Equal(uncommitted.Count, again.Featurized);
        Assert.True(File.Exists(orphan), "the redone images are committed from the orphan's number on");
        var rows = await AssertEachPartPredictsItsFeaturesAsync();
        Assert.Equal(landed.Select(l => l.Path).Append(corrupt).Order(StringComparer.Ordinal), rows.Select(r => r.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ModelOfAnotherFeaturizer_IsRefusedNamingBothBeforeAnyImageIsRead()
    {
        using var models = new TempFolder();
        var model = fixture.CopyModel(models.Combine("other"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(model, ClassifierModel.ModelFileName)))!;
        var expected = (string)json["featurizer"]!["modelSha256"]!;
        var other = new string('a', expected.Length);
        json["featurizer"]!["modelSha256"] = other;
        File.WriteAllText(Path.Combine(model, ClassifierModel.ModelFileName), json.ToJsonString());
        var source = new LandingSource([.. Classes]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync(source, model, CancellationToken.None).WaitAsync(Patience));

        Assert.Contains($"model '{model}' expects", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected[..12], error.Message, StringComparison.Ordinal);
        Assert.Contains(other[..12], error.Message, StringComparison.Ordinal);
        Assert.False(source.Reading.IsCompleted);
        Assert.Empty(FeatureStoreLayout.FindParquetParts(FeaturesDirectory));
    }

    [Fact]
    public async Task RunAsync_StoreStreamedWithoutPredictions_IsRefusedNamingThePartWithout()
    {
        var source = new LandingSource([.. Classes]);
        var counters = new FeaturizationCounters();
        using (var stop = new CancellationTokenSource())
        {
            var options = TestFeaturization.Options with { Stream = new StreamOptions { MaxBatchDelay = TimeSpan.FromMilliseconds(200) } };
            var run = Task.Run(() => FeaturizationJob.RunAsync(source, TestFeaturization.ResNet18, _output.Path, options, counters, NullLogger.Instance, stop.Token));
            var (digit, label) = Digits()[0];
            Land(source, digit, label);
            await Poll.UntilAsync(() => counters.Featurized == 1, Patience, Interval, () => ThrowIfEnded(run));
            await stop.CancelAsync();
            await run.WaitAsync(Patience);
        }

        var again = new LandingSource([.. Classes]);
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync(again, fixture.ModelDirectory, CancellationToken.None).WaitAsync(Patience));

        Assert.StartsWith($"Feature part '{Path.Combine(FeaturesDirectory, "part-00000.parquet")}' has no predictions part", error.Message, StringComparison.Ordinal);
        Assert.False(again.Reading.IsCompleted);
    }

    [Fact]
    public async Task RunAsync_RestartWithAModelOfOtherClasses_IsRefusedNamingTheEarlierPart()
    {
        var source = new LandingSource([.. Classes]);
        var counters = new FeaturizationCounters();
        using (var stop = new CancellationTokenSource())
        {
            var run = StartAsync(source, fixture.ModelDirectory, stop.Token, counters);
            var (digit, label) = Digits()[0];
            Land(source, digit, label);
            await Poll.UntilAsync(() => counters.Featurized == 1, Patience, Interval, () => ThrowIfEnded(run));
            await stop.CancelAsync();
            await run.WaitAsync(Patience);
        }

        using var models = new TempFolder();
        var model = fixture.CopyModel(models.Combine("renamed"));
        var file = Path.Combine(model, ClassifierModel.ModelFileName);
        var json = JsonNode.Parse(File.ReadAllText(file))!;
        var renamed = new JsonArray([.. Classes.Select(c => JsonValue.Create("class " + c))]);
        json["classes"] = renamed;
        json["model"]!["classNames"] = renamed.DeepClone();
        File.WriteAllText(file, json.ToJsonString());
        var again = new LandingSource([.. Classes]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => StartAsync(again, model, CancellationToken.None).WaitAsync(Patience));

        Assert.StartsWith($"Predictions part '{StreamPredictions.PartPath(PredictionsDirectory, 0)}' was written by another model", error.Message, StringComparison.Ordinal);
        Assert.False(again.Reading.IsCompleted);
    }

    /// <summary>
    /// Checks every part pair: each predictions part beside its feature part of the same number
    /// (and none without one), its prediction rows exactly the feature part's paths, with the
    /// classifier's probabilities on the stored features; returns the predictions of all parts.
    /// </summary>
    private async Task<List<PredictionRow>> AssertEachPartPredictsItsFeaturesAsync()
    {
        var store = await ClassifierFixture.ReadStoreAsync(_output.Path);
        var row = store.Paths.Select((path, i) => (path, i)).ToDictionary(p => p.path, p => p.i, StringComparer.Ordinal);
        var features = FeatureStoreLayout.FindParts(FeaturesDirectory, FeatureStoreLayout.ParquetExtension);
        var predictions = FeatureStoreLayout.FindParts(PredictionsDirectory, FeatureStoreLayout.ParquetExtension);
        Assert.Equal(features.Select(f => f.Number), predictions.Select(p => p.Number));
        Assert.Empty(Directory.EnumerateFiles(PredictionsDirectory, ".*"));

        var all = new List<PredictionRow>();
        var probabilities = new double[Classes.Count];
        foreach (var ((_, featurePart), (_, predictionPart)) in features.Zip(predictions))
        {
            var rows = ReadRows(predictionPart);
            Assert.Equal(PathsOf(featurePart), rows.Where(r => r.Stage is null).Select(r => r.Path).Order(StringComparer.Ordinal));
            foreach (var prediction in rows.Where(r => r.Stage is null))
            {
                fixture.Training.Model.Regression.PredictProbabilities(store.GetFeatures(row[prediction.Path]), probabilities);
                for (var c = 0; c < probabilities.Length; c++)
                {
                    Assert.Equal(probabilities[c], prediction.Probabilities[c]!.Value, 1e-6);
                }

                var best = Enumerable.Range(0, probabilities.Length).MaxBy(c => probabilities[c]);
                Assert.Equal(Classes[best], prediction.Predicted);
                Assert.Equal(probabilities[best], prediction.Probability!.Value, 1e-6);
            }

            all.AddRange(rows);
        }

        Assert.Equal(all.Count, all.Select(r => r.Path).Distinct(StringComparer.Ordinal).Count());
        return all;
    }

    private List<PredictionRow> ReadRows(string part)
    {
        var classes = Classes.Count;
        return DuckDbQuery.Rows($"SELECT * FROM read_parquet('{part}')")
            .Select(r =>
            {
                string? Text(int i) => r[i] is string s ? s : null;
                double? Number(int i) => r[i] is DBNull or null ? null : Convert.ToDouble(r[i], CultureInfo.InvariantCulture);
                return new PredictionRow(
                    (string)r[0], Text(1), Text(2), Number(3), [.. Enumerable.Range(4, classes).Select(Number)], Text(4 + classes), Text(5 + classes));
            })
            .ToList();
    }

    private static List<string> PathsOf(string featurePart) =>
        [.. DuckDbQuery.Rows($"SELECT path FROM read_parquet('{featurePart}') ORDER BY path").Select(r => (string)r[0])];

    private Task<FeaturizationSummary> StartAsync(LandingSource source, string modelDirectory, CancellationToken stop, FeaturizationCounters? counters = null)
    {
        var options = TestFeaturization.Options with { Stream = new StreamOptions { MaxBatchDelay = TimeSpan.FromMilliseconds(200) } };
        return Task.Run(async () =>
        {
            var model = await ClassifierModel.LoadAsync(modelDirectory, CancellationToken.None);
            var predictions = new StreamPredictions(model, modelDirectory, PredictionsDirectory);
            return await FeaturizationJob.RunAsync(source, TestFeaturization.ResNet18, _output.Path, options, predictions, admit: null, counters ?? new FeaturizationCounters(), NullLogger.Instance, stop);
        });
    }

    /// <summary>The fixture's test digits, each with its label.</summary>
    private static (string File, string Label)[] Digits() =>
        [.. Directory.EnumerateFiles(Path.Combine(ClassifierFixture.DigitsDirectory, "test"), "*.png", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => (f, Path.GetFileName(Path.GetDirectoryName(f)!)))];

    private string Land(LandingSource source, string digit, string label)
    {
        var path = Path.Combine(_landing.Path, label, Path.GetFileName(digit));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.Copy(digit, path);
        source.Land(path, label);
        return path;
    }

    private string LandCorrupt(LandingSource source, string label)
    {
        var path = Path.Combine(_landing.Path, label, "corrupt.png");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        source.Land(path, label);
        return path;
    }

    /// <summary>A stream ends only when stopped; one that ended on its own failed, and its error says why.</summary>
    private static void ThrowIfEnded(Task run)
    {
        if (run.IsCompleted)
        {
            run.GetAwaiter().GetResult();
            throw new InvalidOperationException("The stream ended before it was stopped.");
        }
    }

    private sealed record PredictionRow(string Path, string? Label, string? Predicted, double? Probability, double?[] Probabilities, string? Stage, string? Reason);
}
