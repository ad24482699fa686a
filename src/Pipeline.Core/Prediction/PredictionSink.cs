using Pipeline.Classifier;
using Pipeline.Decoding;
using Pipeline.Featurization;

namespace Pipeline.Prediction;

/// <summary>
/// Applies a classifier's head to each batch as it leaves the featurizer and writes the
/// predictions; the rejects are kept until <see cref="CompleteAsync"/>, because a predictions file
/// lists them after every prediction. The features themselves are never stored.
/// </summary>
internal sealed class PredictionSink(ClassifierModel model, PredictionWriter writer, bool labelled, string what) : IFeaturizationSink
{
    private readonly double[] _probabilities = new double[model.Classes.Count];
    private readonly List<Reject> _rejects = [];

    public async ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken)
    {
        // A NaN feature is refused as training and evaluation refuse it, the row numbered as in the whole input.
        FeatureCompatibility.EnsureFinite(batch.Features.Span, batch.Dimension, row => batch.Records.Span[row].Path, writer.Predicted, what);
        for (var row = 0; row < batch.Count; row++)
        {
            model.Regression.PredictProbabilities(batch.GetFeatures(row), _probabilities);
            var record = batch.Records.Span[row];
            await writer.WritePredictionAsync(record.Path, labelled ? record.Label : null, _probabilities, cancellationToken).ConfigureAwait(false);
        }

        _rejects.AddRange(batch.Rejects);
    }

    /// <summary>Writes the rejects of every batch, after the predictions, and the file's footer.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        foreach (var reject in _rejects)
        {
            await writer.WriteRejectAsync(reject, cancellationToken).ConfigureAwait(false);
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
    }
}
