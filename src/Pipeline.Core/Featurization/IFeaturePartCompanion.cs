using Pipeline.FeatureStore;

namespace Pipeline.Featurization;

/// <summary>
/// A file a stream writes beside each micro-batch's feature part, under the part's number, and that
/// the part's rename commits (a stream's online predictions): written and renamed into place after
/// the part's rows are on disk and before its rename, so a committed part always has it, and one
/// without its part is what a kill left, deleted by the next start.
/// </summary>
internal interface IFeaturePartCompanion
{
    /// <summary>
    /// Called once the store is locked and the part closes a kill interrupted are finished, before
    /// the feature cache or any image is read: refuses a featurizer the companion cannot follow,
    /// and deletes its files that no committed part has.
    /// </summary>
    /// <param name="metadata">The run's featurizer and classes.</param>
    /// <param name="storeDirectory">The store's root, absolute.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    Task OpenAsync(FeatureStoreMetadata metadata, string storeDirectory, CancellationToken cancellationToken);

    /// <summary>Writes and renames into place the file of part <paramref name="partNumber"/>, which holds <paramref name="batch"/>'s rows.</summary>
    Task WriteAsync(int partNumber, FeaturizedBatch batch, CancellationToken cancellationToken);
}
