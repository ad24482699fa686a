using Pipeline.FeatureStore;

namespace Pipeline.Featurization;

/// <summary>
/// Writes each batch's rows and features to a feature store. With <paramref name="commitEachBatch"/>
/// (a stream) each batch's rows are also closed into a complete part before the next batch, so they
/// are durable and readable at once; otherwise parts roll by the store's options.
/// </summary>
internal sealed class FeatureStoreSink(FeatureStoreWriter store, bool commitEachBatch = false) : IFeaturizationSink
{
    public async ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count > 0)
        {
            await store.WriteAsync(batch.Records, batch.Features, cancellationToken).ConfigureAwait(false);
            if (commitEachBatch)
            {
                await store.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
