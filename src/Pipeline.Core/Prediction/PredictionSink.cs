using Pipeline.Classifier;
using Pipeline.Decoding;
using Pipeline.Featurization;

namespace Pipeline.Prediction;

/// <summary>
/// Applies a classifier's head to each batch as it leaves the featurizer; <see cref="CompleteAsync"/>
/// writes the predictions in path order, one per path, then the rejects. The features themselves
/// are never kept: a prediction holds its path, label and one probability per class.
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
        // A NaN feature is refused as training and evaluation refuse it, the row numbered as in the whole input.
        FeatureCompatibility.EnsureFinite(batch.Features.Span, batch.Dimension, row => batch.Records.Span[row].Path, _predictions.Count, what);
        for (var row = 0; row < batch.Count; row++)
        {
            var probabilities = new double[model.Classes.Count];
            model.Regression.PredictProbabilities(batch.GetFeatures(row), probabilities);
            var record = batch.Records.Span[row];
            _predictions.Add(new Prediction(record.Path, labelled ? record.Label : null, probabilities, _predictions.Count));
        }

        _rejects.AddRange(batch.Rejects);
        return ValueTask.CompletedTask;
    }

    /// <summary>Writes the predictions in path order, the rejects after them, and the file's footer.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        _predictions.Sort(static (a, b) => string.CompareOrdinal(a.Path, b.Path) is var byPath and not 0 ? byPath : a.Arrival.CompareTo(b.Arrival));
        for (var i = 0; i < _predictions.Count; i++)
        {
            var prediction = _predictions[i];
            var isLastOfPath = i + 1 == _predictions.Count || !string.Equals(prediction.Path, _predictions[i + 1].Path, StringComparison.Ordinal);
            if (isLastOfPath)
            {
                await writer.WritePredictionAsync(prediction.Path, prediction.Label, prediction.Probabilities, cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var reject in _rejects)
        {
            await writer.WriteRejectAsync(reject, cancellationToken).ConfigureAwait(false);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <param name="Arrival">Its place among the predictions as they came, which breaks ties between rows of one path.</param>
    private sealed record Prediction(string Path, string? Label, double[] Probabilities, int Arrival);
}
