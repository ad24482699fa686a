using Pipeline.Classifier;
using Pipeline.Decoding;
using Pipeline.Featurization;

namespace Pipeline.Prediction;

/// <summary>
/// Applies a classifier's head to each batch as it leaves the featurizer; <see cref="CompleteAsync"/>
/// writes the predictions in path order, one per path, then the rejects. The features themselves
/// are not kept: a prediction holds its path, label and one probability per class (and, only when
/// one of them is NaN or infinite, its features, to name it in the refusal).
/// </summary>
/// <remarks>
/// Batches leave the graph in the order their images finished decoding, which varies from run to
/// run, so the rows are sorted before they are written: predicting the same images twice gives the
/// same file, as reading a feature store gives the same rows (see <c>FeatureStoreReader</c>). A path
/// given twice is predicted once, keeping the later row.
/// </remarks>
internal sealed class PredictionSink(ClassifierModel model, PredictionWriter writer, bool labelled, string what) : IFeaturizationSink
{
    private readonly List<Prediction> _predictions = [];
    private readonly List<Reject> _rejects = [];

    public ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken)
    {
        for (var row = 0; row < batch.Count; row++)
        {
            var features = batch.GetFeatures(row);
            var probabilities = new double[model.Classes.Count];
            model.Regression.PredictProbabilities(features, probabilities);
            var record = batch.Records.Span[row];

            // Only a row that will be refused keeps its features, so that CompleteAsync can name it by
            // its place in path order, which unlike the order of arrival is the same every run.
            var notFinite = IsFinite(features) ? null : features.ToArray();
            _predictions.Add(new Prediction(record.Path, labelled ? record.Label : null, probabilities, _predictions.Count, notFinite));
        }

        _rejects.AddRange(batch.Rejects);
        return ValueTask.CompletedTask;
    }

    /// <summary>Writes the predictions in path order, the rejects after them, and the file's footer.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        _predictions.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path) is var byPath and not 0 ? byPath : a.Arrival.CompareTo(b.Arrival));
        List<Prediction> kept = new(_predictions.Count);
        for (var i = 0; i < _predictions.Count; i++)
        {
            var isLastOfPath = i + 1 == _predictions.Count || !string.Equals(_predictions[i].Path, _predictions[i + 1].Path, StringComparison.Ordinal);
            if (isLastOfPath)
            {
                kept.Add(_predictions[i]);
            }
        }

        // A NaN feature is refused as training and evaluation refuse it, before any row is written,
        // the row numbered as in the predictions file.
        for (var row = 0; row < kept.Count; row++)
        {
            if (kept[row].NotFinite is { } features)
            {
                var path = kept[row].Path;
                FeatureCompatibility.EnsureFinite(features, features.Length, _ => path, row, what);
            }
        }

        foreach (var prediction in kept)
        {
            await writer.WritePredictionAsync(prediction.Path, prediction.Label, prediction.Probabilities, cancellationToken).ConfigureAwait(false);
        }

        foreach (var reject in _rejects)
        {
            await writer.WriteRejectAsync(reject, cancellationToken).ConfigureAwait(false);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    private static bool IsFinite(ReadOnlySpan<float> features)
    {
        foreach (var value in features)
        {
            if (!float.IsFinite(value))
            {
                return false;
            }
        }

        return true;
    }

    /// <param name="Arrival">Its place among the predictions as they came, which breaks ties between rows of one path.</param>
    /// <param name="NotFinite">The row's features when one of them is NaN or infinite, else null.</param>
    private sealed record Prediction(string Path, string? Label, double[] Probabilities, int Arrival, float[]? NotFinite);
}
