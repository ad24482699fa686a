using Pipeline.FeatureStore;
using Pipeline.Sources;

namespace Pipeline.Featurization;

/// <summary>
/// The images whose features complete part files of a store already hold, keyed by path, file
/// size and modification time: an image that is unchanged since it was featurized with the same
/// model and preprocessing is not featurized again, which is what makes a killed run resumable
/// and a re-run with new training settings free.
/// </summary>
internal sealed class FeaturizationCache
{
    private readonly HashSet<(string Path, long Bytes, long Modified)> _keys;

    private FeaturizationCache(HashSet<(string, long, long)> keys, FeatureStoreReader? store)
    {
        _keys = keys;
        Store = store;
    }

    /// <summary>Images the store held when the cache was loaded (a stream adds to it as it commits).</summary>
    public int Count
    {
        get
        {
            lock (_keys)
            {
                return _keys.Count;
            }
        }
    }

    /// <summary>The store's parts as they were before the run; null when it had none.</summary>
    public FeatureStoreReader? Store { get; }

    /// <summary>
    /// Reads the keys of the store at <paramref name="storeDirectory"/>, after checking that it was
    /// written by the same featurizer: rows of another model or preprocessing, or another class
    /// list, cannot share a store with the new ones.
    /// </summary>
    /// <exception cref="InvalidDataException">The store was written by another featurizer or for other classes.</exception>
    public static async Task<FeaturizationCache> LoadAsync(string storeDirectory, FeatureStoreMetadata expected, CancellationToken cancellationToken)
    {
        var keys = new HashSet<(string, long, long)>();
        if (FeatureStoreLayout.FindParquetParts(FeatureStoreLayout.FeaturesDirectory(storeDirectory)).Count == 0)
        {
            return new FeaturizationCache(keys, null);
        }

        var reader = await FeatureStoreReader.OpenAsync(storeDirectory, cancellationToken).ConfigureAwait(false);
        FeaturizerMismatch.ThrowIfDifferent(
            expected, reader.Metadata, FeaturizerMatch.Store, $"The output folder '{storeDirectory}'", "this run", "featurize into a new folder or delete it");

        await foreach (var record in reader.ReadRecordsAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add((record.Path, record.FileBytes, record.FileModifiedUnixMs));
        }

        return new FeaturizationCache(keys, reader);
    }

    public bool Contains(LabelledImage image)
    {
        lock (_keys)
        {
            return _keys.Contains((image.Path, image.FileBytes, image.FileModifiedUnixMs));
        }
    }

    /// <summary>
    /// Adds the rows a stream has just committed. A watch source forgets a taken file once it is
    /// older than its window, so a later change of the file's ctime alone (chmod, a hard link, a move
    /// out and back) makes it land again; the key, unchanged, then finds it committed. Called by the
    /// sink stage while the source loop calls <see cref="Contains"/>, hence the lock.
    /// </summary>
    public void Add(ReadOnlySpan<FeatureRecord> committed)
    {
        lock (_keys)
        {
            foreach (var record in committed)
            {
                _keys.Add((record.Path, record.FileBytes, record.FileModifiedUnixMs));
            }
        }
    }
}
