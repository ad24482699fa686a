using Pipeline.FeatureStore;

namespace Pipeline.Featurization;

/// <summary>
/// Writes each batch's rejects to a store's rejects table, and tells it which images were
/// featurized, so that an earlier run's reject of an image that now decodes is dropped.
/// </summary>
/// <remarks>
/// Given after the <see cref="FeatureStoreSink"/> of the same store: an image counts as settled
/// only once its row has been handed to the store.
/// </remarks>
internal sealed class RejectsSink(RejectsWriter rejects) : IFeaturizationSink
{
    public async ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch.Records.Span)
        {
            rejects.Featurized(record.Path);
        }

        foreach (var reject in batch.Rejects)
        {
            await rejects.WriteAsync(reject, cancellationToken).ConfigureAwait(false);
        }
    }
}
