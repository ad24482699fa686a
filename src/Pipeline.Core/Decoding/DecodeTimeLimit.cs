namespace Pipeline.Decoding;

/// <summary>
/// Runs one image's decode under <see cref="DecodeLimits.MaxDecodeTime"/>: when the limit passes,
/// the caller gets a reject and moves on, so a run never hangs on one input. One instance serves
/// one run's decoder, and bounds how many abandoned decodes that run leaves running.
/// </summary>
/// <remarks>
/// <para>A decode cannot be aborted from outside: ImageSharp 2.1 checks its cancellation token in
/// the JPEG decoder but not in the PNG one (measured: a 36-megapixel PNG runs to its end whatever
/// the token says), and a read blocked in the kernel, on a hung network mount or a file replaced by
/// a FIFO after the type check, returns only when the kernel lets it. The limit therefore stops the
/// waiting, not the work: the decode runs as its own thread-pool task, and on time-out it is
/// abandoned.</para>
/// <para>An abandoned decode is told to stop through its token, which frees a JPEG's thread and
/// buffers at the next row. Any other keeps its pool thread until it ends, and whatever it
/// produces then is disposed. A CPU-bound one ends soon, since the pixel and allocation limits
/// bound its work; a blocked read perhaps never, and on a hung mount every image blocks, so
/// without a bound a run would go on abandoning decodes, one per image and time limit, each
/// holding a pool thread for good, and starve the pool. A decode still running a whole time limit
/// after it was abandoned is therefore counted as stuck, and once <see cref="MaxStuckDecodes"/>
/// are, no further decode is started: the run fails, naming the last stuck image.</para>
/// </remarks>
internal sealed class DecodeTimeLimit
{
    /// <summary>
    /// Stuck decodes a run tolerates: enough that a few unlucky inputs (a FIFO swapped in after the
    /// type check) only become rejects, few enough that the pool threads they hold stay a handful.
    /// </summary>
    public const int MaxStuckDecodes = 16;

    private readonly TimeSpan _limit;
    private readonly int _maxStuck;
    private readonly TimeProvider _time;
    private int _stuck;
    private string? _lastStuckPath;

    /// <param name="limit">The time one decode may take.</param>
    /// <param name="maxStuck">Stuck decodes after which no decode is started (see the remarks).</param>
    /// <param name="time">The clock of the limit (default the system's).</param>
    public DecodeTimeLimit(TimeSpan limit, int maxStuck = MaxStuckDecodes, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStuck, 1);
        _limit = limit;
        _maxStuck = maxStuck;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Abandoned decodes still running a whole time limit after they were abandoned.</summary>
    public int StuckDecodes => Volatile.Read(ref _stuck);

    /// <summary>
    /// The outcome of <paramref name="decode"/> if it ends within the limit; otherwise a
    /// <see cref="RejectStages.Limits"/> reject for <paramref name="path"/>. <paramref name="decode"/>
    /// gets a token that is cancelled when it is abandoned.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; the decode is abandoned.</exception>
    /// <exception cref="IOException"><see cref="MaxStuckDecodes"/> decodes are stuck, so this one is not started; the message names the last of them.</exception>
    public async Task<DecodeOutcome> RunAsync(string path, Func<CancellationToken, DecodeOutcome> decode, CancellationToken cancellationToken)
    {
        var stuck = StuckDecodes;
        if (stuck >= _maxStuck)
        {
            throw new IOException(
                $"{stuck} image decodes abandoned at the time limit of {_limit.TotalSeconds:0.######} s are still running {_limit.TotalSeconds:0.######} s later (the last: '{Volatile.Read(ref _lastStuckPath)}'), so no more are started: the storage the images are read from may be hung.");
        }

        var stop = new CancellationTokenSource();
        var started = _time.GetTimestamp();
        var decoding = Task.Run(() => decode(stop.Token), CancellationToken.None);
        try
        {
            var outcome = await decoding.WaitAsync(_limit, _time, cancellationToken).ConfigureAwait(false);
            stop.Dispose();

            // On a loaded machine the timer can fire after a decode that overran the limit has ended;
            // the limit is the decode's time, not the timer's luck, so that decode is rejected too.
            if (_time.GetElapsedTime(started) <= _limit)
            {
                return outcome;
            }

            outcome.Image?.Dispose();
            return TimedOut(path);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            await stop.CancelAsync().ConfigureAwait(false);
            _ = AbandonAsync(path, decoding, stop);
            if (e is OperationCanceledException)
            {
                throw;
            }

            return TimedOut(path);
        }
    }

    private DecodeOutcome TimedOut(string path) => DecodeOutcome.Rejected(new Reject(
        path, RejectStages.Limits, $"Decoding did not finish within the time limit of {_limit.TotalSeconds:0.######} s, so it was abandoned."));

    /// <summary>
    /// Counts the abandoned decode as stuck while it runs on a whole limit past its abandoning, and
    /// disposes what it produces, whenever it ends, and then its token's source. Never throws.
    /// </summary>
    private async Task AbandonAsync(string path, Task<DecodeOutcome> decoding, CancellationTokenSource stop)
    {
        var counted = false;
        try
        {
            await ((Task)decoding).WaitAsync(_limit, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (!decoding.IsCompleted)
            {
                Volatile.Write(ref _lastStuckPath, path);
                Interlocked.Increment(ref _stuck);
                counted = true;
                await ((Task)decoding).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (decoding.IsCompletedSuccessfully)
            {
                decoding.Result.Image?.Dispose();
            }
        }
        finally
        {
            if (counted)
            {
                Interlocked.Decrement(ref _stuck);
            }

            stop.Dispose();
        }
    }
}
