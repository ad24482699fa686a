using System.Text.Json;
using Parquet;
using Parquet.Meta.Proto;
using Pipeline.Classifier;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.IO;

namespace Pipeline.Prediction;

/// <summary>
/// A stream's online predictions (<c>predict: {model: DIR}</c>): each micro-batch's predictions
/// and rejects as <c>predictions/part-NNNNN.parquet</c>, in the columns of
/// <see cref="PredictionWriter"/>, numbered as the batch's feature part and committed by it.
/// </summary>
/// <remarks>
/// The predictions part is written under a hidden temporary name, forced to disk and renamed once
/// the feature part is whole on disk and before the feature part's rename, the commit point (as
/// the Arrow twin is). So a committed feature part always has its predictions part, and a
/// predictions part without its feature part is what a kill or a failed write left between the two
/// renames: <see cref="OpenAsync"/> deletes it before the stream reads anything, and the images it
/// held, in no committed part, are featurized and predicted again. A reader that follows the
/// stream takes a predictions part only when its feature part exists.
/// A restart decodes and rejects again the rejected images still in the landing folder (rejects
/// are not in the feature cache), so a path already rejected in a committed predictions part gets
/// no second reject row: what the run remembers for that is one path per reject, as the rejects
/// table holds. A path featurized again (replaced since it landed) gets a new row, as it gets a new
/// feature row.
/// </remarks>
internal sealed class StreamPredictions : IFeaturePartCompanion
{
    private readonly ClassifierModel _model;
    private readonly string _modelDirectory;
    private readonly string _directory;
    private readonly HashSet<string> _rejected = new(StringComparer.Ordinal);
    private string _featuresDirectory = "";

    /// <param name="model">The classifier, loaded from <paramref name="modelDirectory"/>.</param>
    /// <param name="modelDirectory">Its folder, for messages.</param>
    /// <param name="directory">Where the parts go: the run folder's <c>predictions/</c>.</param>
    public StreamPredictions(ClassifierModel model, string modelDirectory, string directory)
    {
        _model = model;
        _modelDirectory = Path.GetFullPath(modelDirectory);
        _directory = Path.GetFullPath(directory);
    }

    /// <summary>The predictions part of feature part <paramref name="number"/>.</summary>
    public static string PartPath(string directory, int number) =>
        Path.Combine(directory, FeatureStoreLayout.PartFileName(number, FeatureStoreLayout.ParquetExtension));

    /// <summary>
    /// Refuses a model trained on another featurizer than the run's (the same comparison and message
    /// as a training store's), then deletes temporary files and predictions parts without their
    /// feature part, refuses parts of a model with other classes or a feature part without its
    /// predictions (a stream started without this model), and remembers the rejected paths.
    /// </summary>
    /// <exception cref="InvalidDataException">The featurizers differ, or the run folder holds what another model, or no model, predicted.</exception>
    public async Task OpenAsync(FeatureStoreMetadata metadata, string storeDirectory, CancellationToken cancellationToken)
    {
        _model.Featurizer.ThrowIfOtherThan(
            metadata,
            "This stream",
            $"model '{_modelDirectory}' expects",
            "its head cannot be applied to these features; give a model trained on this featurizer");

        _featuresDirectory = FeatureStoreLayout.FeaturesDirectory(storeDirectory);
        Directory.CreateDirectory(_directory);
        foreach (var temporary in Directory.EnumerateFiles(_directory, ".*" + FeatureStoreLayout.TemporarySuffix))
        {
            File.Delete(temporary);
        }

        var features = FeatureStoreLayout.FindParts(_featuresDirectory, FeatureStoreLayout.ParquetExtension).Select(p => p.Number).ToHashSet();
        var predicted = new HashSet<int>();
        foreach (var (number, path) in FeatureStoreLayout.FindParts(_directory, FeatureStoreLayout.ParquetExtension))
        {
            if (!features.Contains(number))
            {
                File.Delete(path);
                continue;
            }

            predicted.Add(number);
            await ReadRejectedAsync(path, cancellationToken).ConfigureAwait(false);
        }

        if (features.FirstOrDefault(n => !predicted.Contains(n), -1) is var unpredicted and >= 0)
        {
            throw new InvalidDataException(
                $"Feature part '{Path.Combine(_featuresDirectory, FeatureStoreLayout.PartFileName(unpredicted, FeatureStoreLayout.ParquetExtension))}' has no predictions part in '{_directory}': the stream was started without predict.model, so its images were never predicted; stream into another output to predict them all.");
        }
    }

    public async Task WriteAsync(int partNumber, FeaturizedBatch batch, CancellationToken cancellationToken)
    {
        var path = PartPath(_directory, partNumber);
        var probabilities = new double[_model.Classes.Count];
        var rejects = batch.Rejects.Where(r => !_rejected.Contains(r.Path)).ToArray();
        await AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            var writer = await PredictionWriter.CreateAsync(stream, _model, ct).ConfigureAwait(false);
            await using var _ = writer.ConfigureAwait(false);
            for (var row = 0; row < batch.Count; row++)
            {
                var record = batch.Records.Span[row];

                // Refused as batch prediction, training and evaluation refuse it: a NaN has no class.
                FeatureCompatibility.EnsureFinite(batch.GetFeatures(row), batch.Dimension, _ => record.Path, row, $"Features of predictions part '{path}'");
                _model.Regression.PredictProbabilities(batch.GetFeatures(row), probabilities);
                await writer.WritePredictionAsync(record.Path, record.Label, probabilities, ct).ConfigureAwait(false);
            }

            foreach (var reject in rejects)
            {
                await writer.WriteRejectAsync(reject, ct).ConfigureAwait(false);
            }

            await writer.CompleteAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        _rejected.UnionWith(rejects.Select(r => r.Path));
    }

    /// <summary>Remembers the rejects of a committed part, after checking it was predicted with this model's classes and featurizer.</summary>
    private async Task ReadRejectedAsync(string part, CancellationToken cancellationToken)
    {
        ParquetReader reader;
        try
        {
            reader = await ParquetReader.CreateAsync(part, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ParquetException or ThriftProtocolException)
        {
            throw new InvalidDataException($"Predictions part '{part}' cannot be read as Parquet ({e.Message}).", e);
        }

        await using (reader.ConfigureAwait(false))
        {
            var classes = reader.CustomMetadata.TryGetValue(PredictionWriter.ClassesKey, out var json) ? JsonSerializer.Deserialize<string[]>(json) : null;
            reader.CustomMetadata.TryGetValue(PredictionWriter.FeaturizerKey, out var featurizer);
            if (classes is null || !classes.SequenceEqual(_model.Classes, StringComparer.Ordinal) || !string.Equals(featurizer, _model.Featurizer.ModelSha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidDataException(
                    $"Predictions part '{part}' was written by another model (classes {json ?? "none"}, featurizer {featurizer ?? "none"}) than '{_modelDirectory}' (classes {JsonSerializer.Serialize(_model.Classes)}, featurizer {_model.Featurizer.ModelSha256}); one stream's predictions come from one model, so stream into another output.");
            }

            var fields = reader.Schema.DataFields;
            var pathField = fields.Single(f => f.Name == "path");
            var stageField = fields.Single(f => f.Name == "reject_stage");
            foreach (var group in reader.RowGroups)
            {
                var n = checked((int)group.RowCount);
                var paths = new string?[n];
                var stages = new string?[n];
                await group.ReadAsync(pathField, paths.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                await group.ReadAsync(stageField, stages.AsMemory(), cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < n; i++)
                {
                    if (stages[i] is not null)
                    {
                        _rejected.Add(paths[i]!);
                    }
                }
            }
        }
    }

}
