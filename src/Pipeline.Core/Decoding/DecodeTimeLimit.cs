namespace Pipeline.Decoding;

/// <summary>
/// Runs one image's decode under <see cref="DecodeLimits.MaxDecodeTime"/>: when the limit passes,
/// the caller gets a reject and moves on, so a run never hangs on one input.
/// </summary>
/// <remarks>
/// <para>A decode cannot be aborted from outside: ImageSharp 2.1 checks its cancellation token in
/// the JPEG decoder but not in the PNG one (measured: a 36-megapixel PNG runs to its end whatever
/// the token says), and a read blocked in the kernel, on a hung network mount or a file replaced by
/// a FIFO after the type check, returns only when the kernel lets it. The limit therefore stops the
/// waiting, not the work: the decode runs as its own thread-pool task, and on time-out it is
/// abandoned.</para>
/// <para>An abandoned decode is told to stop through its token, which frees a JPEG's thread and
/// buffers at the next row. Any other keeps its pool thread until it ends (a CPU-bound one soon,
/// since the pixel and allocation limits bound its work; a blocked read perhaps never, and the pool
/// adds threads so the run goes on), and whatever it produces then is disposed.</para>
/// </remarks>
internal static class DecodeTimeLimit
{
    /// <summary>
    /// The outcome of <paramref name="decode"/> if it ends within <paramref name="limit"/>; otherwise
    /// a <see cref="RejectStages.Limits"/> reject for <paramref name="path"/>. <paramref name="decode"/>
    /// gets a token that is cancelled when it is abandoned.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired; the decode is abandoned.</exception>
    public static async Task<DecodeOutcome> RunAsync(
        string path, TimeSpan limit, Func<CancellationToken, DecodeOutcome> decode, CancellationToken cancellationToken)
    {
        var stop = new CancellationTokenSource();
        var decoding = Task.Run(() => decode(stop.Token), CancellationToken.None);
        try
        {
            var outcome = await decoding.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
            stop.Dispose();
            return outcome;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            stop.Cancel();
            Abandon(decoding, stop);
            if (e is OperationCanceledException)
            {
                throw;
            }

            return DecodeOutcome.Rejected(new Reject(
                path, RejectStages.Limits, $"Decoding did not finish within the time limit of {limit.TotalSeconds:0.######} s, so it was abandoned."));
        }
    }

    /// <summary>Disposes what the abandoned decode produces, whenever it ends, and then its token's source.</summary>
    private static void Abandon(Task<DecodeOutcome> decoding, CancellationTokenSource stop) =>
        decoding.ContinueWith(
            static (done, state) =>
            {
                if (done.IsCompletedSuccessfully)
                {
                    done.Result.Image?.Dispose();
                }

                ((CancellationTokenSource)state!).Dispose();
            },
            stop,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
}
