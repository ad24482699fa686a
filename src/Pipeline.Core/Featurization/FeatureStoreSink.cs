using Pipeline.FeatureStore;

namespace Pipeline.Featurization;

/// <summary>
/// Writes each batch's rows and features to a feature store. With <paramref name="commitEachBatch"/>
/// (a stream) each batch's rows are also closed into a complete part before the next batch, so they
/// are durable and readable at once; otherwise parts roll by the store's options. With a
/// <paramref name="companion"/> (a stream's predictions) every batch, even one of rejects only,
/// is a part of its own, committed with the companion's file of the same number.
/// </summary>
internal sealed class FeatureStoreSink(FeatureStoreWriter store, bool commitEachBatch = false, IFeaturePartCompanion? companion = null) : IFeaturizationSink
{
    public async ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken)
    {
        if (companion is not null)
        {
            if (batch.Count > 0 || batch.Rejects.Count > 0)
            {
                await store.WritePartAsync(batch.Records, batch.Features, (number, ct) => companion.WriteAsync(number, batch, ct), cancellationToken).ConfigureAwait(false);
            }

            return;
        }

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
