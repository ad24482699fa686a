using System.Threading.Tasks.Dataflow;

namespace Pipeline.Featurization;

/// <summary>
/// A batching block for streams: like a <see cref="BatchBlock{T}"/> it emits an array once
/// <c>batchSize</c> items have come, but it also emits what it holds once <c>maxDelay</c> has passed
/// since the first item of the batch, so a trickle of images is not held until a batch fills.
/// </summary>
/// <remarks>
/// One loop owns the batch being filled: it takes items from a bounded input buffer and waits for
/// the next with the batch's deadline, so the deadline is armed by the batch's first item and
/// disarmed by the emit, with no timer racing the items (a timer calling
/// <see cref="BatchBlock{T}.TriggerBatch"/> can fire between an item's arrival and its counting, and
/// leave an item in a batch no timer watches). Both buffers are bounded, so a slow consumer
/// back-pressures the producer as the batch block does.
/// </remarks>
internal static class MicroBatchBlock
{
    /// <param name="batchSize">Items in a full batch.</param>
    /// <param name="maxDelay">Longest time from a batch's first item to its emit.</param>
    /// <param name="discard">Releases an item that is dropped when the block is cancelled or faults (its pooled buffers).</param>
    /// <param name="cancellationToken">Cancels the block, as a dataflow block's option does.</param>
    public static IPropagatorBlock<T, T[]> Create<T>(int batchSize, TimeSpan maxDelay, Action<T> discard, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        // The input takes no token: a cancelled buffer drops what it holds unseen, and every item must
        // reach `discard`. The loop completes it instead, on every way out, and drains it.
        var input = new BufferBlock<T>(new DataflowBlockOptions { BoundedCapacity = batchSize });
        var output = new BufferBlock<T[]>(new DataflowBlockOptions { BoundedCapacity = 1, CancellationToken = cancellationToken });
        _ = RunAsync(input, output, batchSize, maxDelay, discard, cancellationToken);
        return DataflowBlock.Encapsulate(input, output);
    }

    private static async Task RunAsync<T>(BufferBlock<T> input, BufferBlock<T[]> output, int batchSize, TimeSpan maxDelay, Action<T> discard, CancellationToken cancellationToken)
    {
        var pending = new List<T>(batchSize);
        try
        {
            while (await input.OutputAvailableAsync(cancellationToken).ConfigureAwait(false))
            {
                using var due = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                due.CancelAfter(maxDelay);
                while (true)
                {
                    while (pending.Count < batchSize && input.TryReceive(out var item))
                    {
                        pending.Add(item);
                    }

                    if (pending.Count == batchSize || !await WaitAsync(input, due.Token, cancellationToken).ConfigureAwait(false))
                    {
                        break;
                    }
                }

                var batch = pending.ToArray();
                pending.Clear();
                if (!await output.SendAsync(batch, cancellationToken).ConfigureAwait(false))
                {
                    Array.ForEach(batch, discard);
                    break;
                }
            }

            // The input completed (and is empty) or the output declined: nothing more will come.
            output.Complete();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The output carries the token, so the block ends cancelled on its own.
        }
        catch (Exception e)
        {
            ((IDataflowBlock)output).Fault(e);
        }
        finally
        {
            input.Complete();
            pending.ForEach(discard);
            while (input.TryReceive(out var left))
            {
                discard(left);
            }
        }
    }

    /// <summary>
    /// Whether another item came before the batch's deadline: false when the deadline passed or the
    /// input completed, either of which ends the batch.
    /// </summary>
    private static async Task<bool> WaitAsync<T>(BufferBlock<T> input, CancellationToken due, CancellationToken cancellationToken)
    {
        try
        {
            return await input.OutputAvailableAsync(due).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
