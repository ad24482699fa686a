using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using System.Threading.Tasks.Dataflow;
using Pipeline.Decoding;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Preprocessing;
using Pipeline.Sources;

namespace Pipeline.Featurization;

/// <summary>
/// The featurization dataflow: source → decode (parallel) → batch → pack into the inference
/// tensor → infer → sinks. Every block is bounded, so a slow stage back-pressures the ones before
/// it and memory stays flat whatever the data set's size. What the batches become (a feature store
/// and its rejects, predictions) is the sinks' business: the graph hands each finished batch to
/// every <see cref="IFeaturizationSink"/> in turn.
/// </summary>
/// <remarks>
/// Bad images travel through the graph as <see cref="Reject"/>s inside their batch instead of
/// faulting a block: a fault in a bounded graph would stall the blocks upstream of it. Only bugs
/// and fatal conditions (a sink cannot write, the model fails) fault the graph, and then
/// a shared token cancels every block so the producer never waits on a dead consumer.
/// </remarks>
internal sealed class FeaturizationGraph
{
    /// <summary>Slots besides those in inference: one being packed, one being written.</summary>
    private const int SlotsOutsideInference = 2;

    private readonly ImageDecoder _decoder;
    private readonly TensorPreprocessor _preprocessor;
    private readonly FeatureExtractor _extractor;
    private readonly IReadOnlyList<IFeaturizationSink> _sinks;
    private readonly FeaturizationCounters _counters;
    private readonly int _parallelism;
    private readonly TimeSpan? _maxBatchDelay;

    /// <param name="maxBatchDelay">
    /// Null for a batch run: only the last batch may be short. For a stream, how long a batch that is
    /// not full waits from its first decoded image before it goes to inference.
    /// </param>
    public FeaturizationGraph(
        ImageDecoder decoder,
        TensorPreprocessor preprocessor,
        FeatureExtractor extractor,
        IReadOnlyList<IFeaturizationSink> sinks,
        FeaturizationCounters counters,
        int parallelism,
        TimeSpan? maxBatchDelay = null)
    {
        _decoder = decoder;
        _preprocessor = preprocessor;
        _extractor = extractor;
        _sinks = sinks;
        _counters = counters;
        _parallelism = parallelism;
        _maxBatchDelay = maxBatchDelay;
    }

    /// <summary>
    /// Featurizes every image the source yields that <paramref name="isCached"/> does not claim.
    /// When <paramref name="stopToken"/> fires the source stops being read, the images already in
    /// flight finish and are written, and the method throws <see cref="OperationCanceledException"/>.
    /// When <paramref name="abandonToken"/> fires too (the stop's drain ran out of time), the images
    /// not yet inferred are dropped and an inference in progress is aborted; only a batch already at
    /// the sinks is still written to all of them, so every row handed to a sink is whole.
    /// </summary>
    public async Task RunAsync(
        IAsyncEnumerable<LabelledImage> images,
        Func<LabelledImage, bool> isCached,
        CancellationToken stopToken,
        CancellationToken abandonToken = default)
    {
        using var fault = new CancellationTokenSource();

        // Every block before the sinks also ends on the abandon token; the sink stage ends only on a
        // fault, because a store write cut short would leave the open part corrupt and lose the rows
        // before it, and a batch given to some sinks but not the rest would leave them disagreeing.
        using var abandonOrFault = CancellationTokenSource.CreateLinkedTokenSource(fault.Token, abandonToken);
        var upstream = abandonOrFault.Token;
        var batchSize = _extractor.BatchSize;
        var runs = _extractor.ConcurrentRuns;
        var slotCount = runs + SlotsOutsideInference;
        var slots = Channel.CreateBounded<BatchSlot>(slotCount);
        for (var i = 0; i < slotCount; i++)
        {
            slots.Writer.TryWrite(new BatchSlot(_extractor.CreateBatch()));
        }

        // The decoder brings every image to the input size and resize rule of the model the
        // extractor runs, so the packed tensors always match the session's input.
        var spec = _extractor.Spec;
        var decode = new TransformBlock<Landed, InFlight>(
            async landed => new InFlight(
                await _decoder.DecodeAsync(landed.Image, spec.InputSize, spec.InputSize, spec.Resize, fault.Token).ConfigureAwait(false),
                landed.At,
                (landed.Image.FileBytes, landed.Image.FileModifiedUnixMs)),
            new ExecutionDataflowBlockOptions
            {
                MaxDegreeOfParallelism = _parallelism,
                BoundedCapacity = _parallelism * 2,
                // Order is not needed (each row carries its path) and would let one slow image
                // hold every finished one behind it in the reorder buffer.
                EnsureOrdered = false,
                CancellationToken = upstream,
            });

        IPropagatorBlock<InFlight, InFlight[]> batch = _maxBatchDelay is { } maxDelay
            ? MicroBatchBlock.Create<InFlight>(batchSize, maxDelay, item => item.Outcome.Image?.Dispose(), upstream)
            : new BatchBlock<InFlight>(
                batchSize,
                new GroupingDataflowBlockOptions { BoundedCapacity = batchSize, CancellationToken = upstream });

        var pack = new TransformBlock<InFlight[], BatchSlot>(
            outcomes => PackAsync(outcomes, slots.Reader, upstream),
            new ExecutionDataflowBlockOptions { BoundedCapacity = 1, CancellationToken = upstream });

        var infer = new TransformBlock<BatchSlot, BatchSlot>(
            slot =>
            {
                if (slot.Count > 0)
                {
                    _extractor.Run(slot.Inference, upstream);
                }

                slot.TakeFeatures();
                return slot;
            },
            new ExecutionDataflowBlockOptions
            {
                // Each run has a slot of its own; the block's default ordering hands batches to the
                // sinks in the order they were packed, so a stream commits its micro-batches in order.
                MaxDegreeOfParallelism = runs,
                BoundedCapacity = runs,
                CancellationToken = upstream,
            });

        var sink = new ActionBlock<BatchSlot>(
            slot => WriteAsync(slot, slots.Writer, fault.Token),
            new ExecutionDataflowBlockOptions { BoundedCapacity = 1, CancellationToken = fault.Token });

        var link = new DataflowLinkOptions { PropagateCompletion = true };
        decode.LinkTo(batch, link);
        batch.LinkTo(pack, link);
        pack.LinkTo(infer, link);
        infer.LinkTo(sink, link);

        // A faulted block cancels the rest, so nothing upstream waits forever on a full buffer.
        _ = sink.Completion.ContinueWith(
            _ => fault.Cancel(),
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted,
            TaskScheduler.Default);

        // A block whose input side has completed while its outputs wait for a target that then
        // faults never looks at its token again: its Completion would never end and the run would
        // hang (dotnet/runtime#27357). Receiving from it makes it check, and see the cancellation.
        using var drainOnCancel = upstream.UnsafeRegister(_ => DrainOutputs(decode, batch, pack, infer), null);

        var stopped = false;
        ExceptionDispatchInfo? sourceFailure = null;
        try
        {
            await foreach (var image in images.WithCancellation(stopToken).ConfigureAwait(false))
            {
                _counters.AddRead();
                if (isCached(image))
                {
                    _counters.AddCached();
                    continue;
                }

                if (!await decode.SendAsync(new Landed(image, LandingTimestamp(image)), upstream).ConfigureAwait(false))
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stopToken.IsCancellationRequested)
        {
            stopped = true;
        }
        catch (OperationCanceledException) when (upstream.IsCancellationRequested)
        {
            // The graph faulted (its exception surfaces from the completions below) or was abandoned.
        }
        catch (Exception e)
        {
            sourceFailure = ExceptionDispatchInfo.Capture(e);
            await fault.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            decode.Complete();
        }

        // Wait for every block, not only the last: after a fault the others are cancelled, but one
        // may still be inside an ONNX Runtime Run or a sink's write, and returning before it ends
        // would let the caller dispose the extractor or a sink's output under it.
        IDataflowBlock[] blocks = [decode, batch, pack, infer, sink];
        try
        {
            await Task.WhenAll(blocks.Select(b => b.Completion)).ConfigureAwait(false);
        }
        catch (Exception) when (sourceFailure is not null || RootCause(blocks) is not null || abandonToken.IsCancellationRequested)
        {
            // Rethrown below: blocks cancelled because another faulted report only the
            // cancellation, so the cause is the source's failure or the first block in graph
            // order that faulted for a reason of its own; blocks cancelled by the abandon token
            // end the run as a stop.
        }
        finally
        {
            DrainOutputs(decode, batch, pack, infer);
        }

        sourceFailure?.Throw();
        if (RootCause(blocks) is { } cause)
        {
            ExceptionDispatchInfo.Capture(cause).Throw();
        }

        // Abandoned images were never written, so the run is stopped even if the source was read to its end.
        if (stopped || abandonToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(stopToken);
        }
    }

    private async Task<BatchSlot> PackAsync(InFlight[] outcomes, ChannelReader<BatchSlot> free, CancellationToken cancellationToken)
    {
        try
        {
            var slot = await free.ReadAsync(cancellationToken).ConfigureAwait(false);
            slot.Reset();
            var count = 0;
            foreach (var (outcome, landedAt, stamp) in outcomes)
            {
                if (outcome.Reject is { } reject)
                {
                    slot.Rejects.Add(reject);
                    slot.RejectStamps.Add(stamp);
                    continue;
                }

                using var decoded = outcome.Image!;
                _preprocessor.Write(decoded.Pixels, slot.Inference.Slot(count));
                var source = decoded.Source;
                slot.Records[count] = new FeatureRecord(
                    source.Path,
                    source.Label,
                    source.LabelIndex,
                    decoded.OriginalWidth,
                    decoded.OriginalHeight,
                    source.FileBytes,
                    source.FileModifiedUnixMs);
                slot.LandedAt[count] = landedAt;
                count++;
            }

            slot.Inference.Count = count;
            return slot;
        }
        catch
        {
            // Cancelled while waiting for a free slot, or a failure part-way: the images not yet
            // packed still own pooled pixel buffers (disposing an image twice is a no-op).
            DisposeImages(outcomes);
            throw;
        }
    }

    private async Task WriteAsync(BatchSlot slot, ChannelWriter<BatchSlot> free, CancellationToken cancellationToken)
    {
        var batch = new FeaturizedBatch(slot.Records.AsMemory(0, slot.Featurized), slot.Features, slot.Inference.FeatureDimension, slot.Rejects, slot.RejectStamps);
        foreach (var sink in _sinks)
        {
            await sink.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        }

        // Counted once every sink holds the batch, so the counts never run ahead of any output.
        _counters.AddCommitted(slot.LandedAt.AsSpan(0, slot.Featurized), slot.Rejects.Count);
        await free.WriteAsync(slot, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The <see cref="Stopwatch"/> time <paramref name="image"/> landed: when its file arrived in a
    /// watched folder where the source knows it, else now, as the source yields it.
    /// </summary>
    internal static long LandingTimestamp(LabelledImage image)
    {
        var now = Stopwatch.GetTimestamp();
        var waitedNs = image.LandedUnixNs > 0 ? ((DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100) - image.LandedUnixNs : 0;
        return waitedNs > 0 ? now - (long)(waitedNs * (Stopwatch.Frequency / 1e9)) : now;
    }

    private static Exception? RootCause(IDataflowBlock[] blocks) =>
        blocks
            .Select(b => b.Completion.Exception?.GetBaseException())
            .FirstOrDefault(e => e is not null and not OperationCanceledException);

    /// <summary>
    /// Empties every block's output. Images decoded but never packed still own pooled pixel buffers;
    /// packed and inferred slots are dropped (the extractor owns their buffers).
    /// </summary>
    private static void DrainOutputs(
        TransformBlock<Landed, InFlight> decode,
        IPropagatorBlock<InFlight, InFlight[]> batch,
        TransformBlock<InFlight[], BatchSlot> pack,
        TransformBlock<BatchSlot, BatchSlot> infer)
    {
        while (pack.TryReceive(out _))
        {
        }

        while (infer.TryReceive(out _))
        {
        }

        while (decode.TryReceive(out var item))
        {
            item.Outcome.Image?.Dispose();
        }

        // Both batch blocks can be received from (an encapsulated block forwards to its output buffer).
        var batches = (IReceivableSourceBlock<InFlight[]>)batch;
        while (batches.TryReceive(out var outcomes))
        {
            DisposeImages(outcomes);
        }
    }

    private static void DisposeImages(InFlight[] items)
    {
        foreach (var item in items)
        {
            item.Outcome.Image?.Dispose();
        }
    }

    /// <summary>An image as the source yielded it, with when (<see cref="Stopwatch.GetTimestamp"/>): its landing time.</summary>
    private readonly record struct Landed(LabelledImage Image, long At);

    /// <summary>A decoded image or its reject, still carrying its landing time to the batch's commit.</summary>
    /// <param name="Stamp">The file's size and mtime when the source yielded it: what a reject's file is settled by, as a row's is by its record.</param>
    private readonly record struct InFlight(DecodeOutcome Outcome, long LandedAt, (long Bytes, long ModifiedUnixMs) Stamp);
}
