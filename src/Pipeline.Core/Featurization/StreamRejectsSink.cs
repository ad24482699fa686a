using Pipeline.FeatureStore;

namespace Pipeline.Featurization;

/// <summary>
/// The rejects sink of a stream: like <see cref="RejectsSink"/>, but a batch that changes the
/// rejects table commits it before the next batch (the file is rewritten under a temporary name and
/// renamed over the old one), so a reject is as durable and visible as a featurized row.
/// </summary>
/// <remarks>
/// The table is one file, so a commit rewrites every reject the store holds: the cost of a commit
/// grows with the rejects, not with the rows, and a batch without rejects (and without a fixed
/// image the table rejected) commits nothing. What the sink keeps in memory is the table itself.
/// A kill between the feature part's commit and this one loses no reject: rejected images are not
/// in the feature cache, so a restart decodes and rejects them again.
/// </remarks>
internal sealed class StreamRejectsSink : IFeaturizationSink, IAsyncDisposable
{
    private readonly string _storeDirectory;
    private RejectsWriter _rejects;

    private StreamRejectsSink(string storeDirectory, RejectsWriter rejects)
    {
        _storeDirectory = storeDirectory;
        _rejects = rejects;
    }

    /// <summary>Opens the rejects table of the store at <paramref name="storeDirectory"/>, keeping its rows.</summary>
    public static async Task<StreamRejectsSink> CreateAsync(string storeDirectory, CancellationToken cancellationToken) =>
        new(storeDirectory, await RejectsWriter.CreateAsync(storeDirectory, cancellationToken).ConfigureAwait(false));

    public async ValueTask WriteAsync(FeaturizedBatch batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch.Records.Span)
        {
            _rejects.Featurized(record.Path);
        }

        foreach (var reject in batch.Rejects)
        {
            await _rejects.WriteAsync(reject, cancellationToken).ConfigureAwait(false);
        }

        if (_rejects.HasChanges)
        {
            // Completing renames the table into place; the next writer starts from what was committed.
            await _rejects.CompleteAsync(cancellationToken).ConfigureAwait(false);
            _rejects = await RejectsWriter.CreateAsync(_storeDirectory, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Disposes the open writer, which (having no changes after the last commit) rewrites the same rows.</summary>
    public ValueTask DisposeAsync() => _rejects.DisposeAsync();
}
