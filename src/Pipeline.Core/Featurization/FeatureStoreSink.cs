using Pipeline.FeatureStore;

namespace Pipeline.Featurization;

/// <summary>
/// Writes each batch's rows and features to a feature store. With <paramref name="commitEachBatch"/>
/// (a stream) each batch's rows are also closed into a complete part before the next batch, so they
/// are durable and readable at once; otherwise parts roll by the store's options. With a
/// <paramref name="companion"/> (a stream's predictions) every batch, even one of rejects only,
/// is a part of its own, committed with the companion's file of the same number. With a
/// <paramref name="compaction"/> (a stream's) each batch's commit excludes the compaction's swap,
/// and is counted toward the next compaction.
/// </summary>
internal sealed class FeatureStoreSink(
    FeatureStoreWriter store, bool commitEachBatch = false, IFeaturePartCompanion? companion = null, StreamCompaction? compaction = null) : IFeaturizationSink
{
    public async ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0 && (companion is null || batch.Rejects.Count == 0))
        {
            return;
        }

        using (compaction is null ? null : await compaction.EnterCommitAsync(cancellationToken).ConfigureAwait(false))
        {
            if (companion is not null)
            {
                await store.WritePartAsync(batch.Records, batch.Features, (number, ct) => companion.WriteAsync(number, batch, ct), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await store.WriteAsync(batch.Records, batch.Features, cancellationToken).ConfigureAwait(false);
                if (commitEachBatch)
                {
                    await store.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        compaction?.Committed(batch.Count);
    }
}
