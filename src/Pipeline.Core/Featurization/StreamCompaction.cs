using Microsoft.Extensions.Logging;
using Pipeline.FeatureStore;

namespace Pipeline.Featurization;

/// <summary>
/// A stream's background compaction: once its small parts (one per micro-batch) add up to
/// <see cref="FeatureStoreOptions.RowsPerPart"/> rows, merges them into parts of about that size in a
/// new generation of the store (<see cref="SmallPartCompaction"/>), one compaction at a time, in the
/// writer's process, which holds the store's lock. Retired generations older than the grace period
/// are deleted after each compaction and at start.
/// </summary>
/// <remarks>
/// The stream writes its parts (and predictions) under temporary names and renames them through the
/// <c>features</c> link, so a swap between the two would lose the part: the sink takes
/// <see cref="EnterCommitAsync"/> around each batch's write, and the compaction takes it only to
/// reserve its part numbers and, at the end, to link the kept parts and swap, which grows with the
/// live generation's part count (tens of milliseconds for a thousand parts). The merge itself runs
/// beside the stream. A stop cancels a merge in progress (its
/// generation is deleted); a kill leaves it half-built, invisible, and deleted at the next start.
/// </remarks>
internal sealed class StreamCompaction : IAsyncDisposable
{
    private readonly SemaphoreSlim _commit = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _sync = new();
    private readonly string _root;
    private readonly FeatureStoreWriter _writer;
    private readonly FeatureStoreOptions _options;
    private readonly TimeSpan _grace;
    private readonly ILogger _logger;
    private long _smallRows;
    private Task _running = Task.CompletedTask;

    private StreamCompaction(string root, FeatureStoreWriter writer, FeatureStoreOptions options, TimeSpan grace, ILogger logger, long smallRows)
    {
        _root = root;
        _writer = writer;
        _options = options;
        _grace = grace;
        _logger = logger;
        _smallRows = smallRows;
    }

    /// <summary>
    /// Starts compacting the store of <paramref name="writer"/>, adopted into generations (see
    /// <see cref="FeatureStoreGenerations.TryAdopt"/>); <paramref name="earlier"/> is the store as the
    /// stream found it, whose small parts count toward the first compaction.
    /// </summary>
    public static StreamCompaction Start(FeatureStoreWriter writer, FeatureStoreReader? earlier, FeatureStoreOptions options, TimeSpan grace, ILogger logger)
    {
        var smallRows = 0L;
        for (var p = 0; p < (earlier?.PartFiles.Count ?? 0); p++)
        {
            if (earlier!.PartRows(p) < options.RowsPerPart)
            {
                smallRows += earlier.PartRows(p);
            }
        }

        var compaction = new StreamCompaction(writer.OutputDirectory, writer, options, grace, logger, smallRows);
        FeatureStoreGenerations.DeleteRetired(writer.OutputDirectory, grace);
        compaction.Committed(0);
        return compaction;
    }

    /// <summary>Held while a batch's part (and its companion) is written and renamed: no swap happens meanwhile.</summary>
    public async Task<IDisposable> EnterCommitAsync(CancellationToken cancellationToken)
    {
        await _commit.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Release(_commit);
    }

    /// <summary>Counts a committed batch's rows, and starts a compaction when the small parts hold enough and none runs.</summary>
    public void Committed(int rows)
    {
        lock (_sync)
        {
            _smallRows += rows;
            if (_smallRows < _options.RowsPerPart || !_running.IsCompleted || _stop.IsCancellationRequested)
            {
                return;
            }

            var counted = _smallRows;
            _running = Task.Run(() => CompactAsync(counted));
        }
    }

    /// <summary>Stops a compaction in progress (its half-built generation is deleted) and waits for it.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task running;
        lock (_sync)
        {
            running = _running;
        }

        await running.ConfigureAwait(false);
        _stop.Dispose();
        _commit.Dispose();
    }

    /// <summary>
    /// Compacts, then again while the small parts committed meanwhile fill a part: a commit that came
    /// while this ran started nothing, and the stream may commit no more for a while.
    /// </summary>
    private async Task CompactAsync(long counted)
    {
        while (true)
        {
            var left = counted;
            var merged = false;
            try
            {
                var result = await SmallPartCompaction.CompactAsync(_root, _options, EnterCommitAsync, _writer.ReservePartNumbers, _stop.Token).ConfigureAwait(false);
                left = result.RowsLeft;
                merged = result.PartsMerged > 0;
                var deleted = FeatureStoreGenerations.DeleteRetired(_root, _grace);
                _logger.LogInformation(
                    "Compacted {Parts} small parts of {Store} into {Merged} parts of {Rows} rows; {Deleted} retired generations deleted",
                    result.PartsMerged,
                    _root,
                    result.PartsWritten,
                    result.Rows,
                    deleted);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // A stop: the store is as it was before this compaction.
            }
            catch (Exception e)
            {
                // The stream goes on with small parts; the next compaction is tried after as many rows again.
                left = 0;
                _logger.LogWarning(e, "Compacting the small parts of {Store} failed, they stay as they are: {Reason}", _root, e.Message);
            }

            lock (_sync)
            {
                // Rows committed while the compaction ran stay counted; what it merged does not.
                _smallRows += left - counted;
                if (!merged || _smallRows < _options.RowsPerPart || _stop.IsCancellationRequested)
                {
                    return;
                }

                counted = _smallRows;
            }
        }
    }

    private sealed class Release(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
