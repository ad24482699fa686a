using Pipeline.FeatureStore;

namespace Pipeline.Featurization;

/// <summary>Writes each batch's rows and features to a feature store.</summary>
internal sealed class FeatureStoreSink(FeatureStoreWriter store) : IFeaturizationSink
{
    public async ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count > 0)
        {
            await store.WriteAsync(batch.Records, batch.Features, cancellationToken).ConfigureAwait(false);
        }
    }
}
