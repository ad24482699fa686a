using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pipeline.Decoding;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Sources;

namespace Pipeline.Featurization;

/// <summary>
/// Featurizes a labelled image source with a zoo model into a feature store: the one entry point
/// that the CLI, pipeline runs and the worker share.
/// </summary>
public static class FeaturizationJob
{
    /// <summary>
    /// Runs the featurization graph over <paramref name="source"/> into <paramref name="storeDirectory"/>.
    /// Images already in complete part files of that store (same model, preprocessing and file
    /// stamp) are skipped. Once the whole source has been seen, rows and rejects of images it no
    /// longer holds, or holds changed, are compacted away and rows of relabelled images take the
    /// new label, so the completed store holds one row per current image, with its current label.
    /// When <paramref name="cancellationToken"/> fires, in-flight images are written, the open part
    /// is closed complete, nothing is compacted, no <c>_SUCCESS</c> is written, and
    /// <see cref="OperationCanceledException"/> is thrown; <paramref name="counters"/> then hold
    /// what the run did before it stopped. When <paramref name="abandonToken"/> fires as well (the
    /// stop's deadline passed), the images not yet inferred are dropped instead of finished, and the
    /// rows already written are still kept in a complete part.
    /// One process at a time writes a store: while another holds it, the run fails at once with an
    /// <see cref="IOException"/> naming the store.
    /// <para>
    /// With <see cref="FeaturizationOptions.Stream"/> the run is a stream (see <see cref="StreamAsync"/>):
    /// each micro-batch is committed as it is inferred, and <paramref name="cancellationToken"/> ends
    /// it: the batches in flight are committed and the method returns normally.
    /// </para>
    /// </summary>
    public static Task<FeaturizationSummary> RunAsync(
        ILabelledImageSource source,
        ResolvedModel model,
        string storeDirectory,
        FeaturizationOptions options,
        FeaturizationCounters counters,
        ILogger logger,
        CancellationToken cancellationToken,
        CancellationToken abandonToken = default) =>
        RunAsync(source, model, storeDirectory, options, companion: null, admit: null, counters, logger, cancellationToken, abandonToken);

    /// <summary>
    /// <see cref="RunAsync(ILabelledImageSource, ResolvedModel, string, FeaturizationOptions, FeaturizationCounters, ILogger, CancellationToken, CancellationToken)"/>,
    /// with a <paramref name="companion"/> file committed with each part of a stream (its predictions),
    /// and an <paramref name="admit"/> check of the run's featurizer before any image is read (a
    /// shard's, against the store its attempt joins).
    /// </summary>
    /// <exception cref="ArgumentException">A companion without <see cref="FeaturizationOptions.Stream"/>: a batch run's parts hold many batches.</exception>
    internal static async Task<FeaturizationSummary> RunAsync(
        ILabelledImageSource source,
        ResolvedModel model,
        string storeDirectory,
        FeaturizationOptions options,
        IFeaturePartCompanion? companion,
        Func<FeatureStoreMetadata, CancellationToken, Task>? admit,
        FeaturizationCounters counters,
        ILogger logger,
        CancellationToken cancellationToken,
        CancellationToken abandonToken = default)
    {
        if (options.Shard is not null)
        {
            return companion is null
                ? await ShardedFeaturization.RunAsync(source, model, storeDirectory, options, counters, logger, cancellationToken, abandonToken).ConfigureAwait(false)
                : throw new ArgumentException("A part companion needs a stream, and a stream cannot be sharded.", nameof(companion));
        }

        if (companion is not null && options.Stream is null)
        {
            throw new ArgumentException("A part companion needs a stream, whose parts are one micro-batch each.", nameof(companion));
        }

        if (options.Stream is not null && options.Inference.Precision == FeaturePrecision.Int8)
        {
            throw new ArgumentException(ImageFeaturizer.StreamRefusal, nameof(options));
        }

        var clock = Stopwatch.StartNew();

        // Validates the limits, before the lock creates the store's folders: bad options leave nothing behind.
        var decoder = new ImageDecoder(options.Limits);
        using var writing = FeatureStoreWriter.Lock(storeDirectory);
        ShardedStore.ThrowIfSharded(storeDirectory);
        using var tracked = counters.Meter.Track(new FeaturizationRun(storeDirectory, counters, options.Stream));
        options = await WithStoresGraphAsync(storeDirectory, options, cancellationToken).ConfigureAwait(false);
        using var featurizer = await ImageFeaturizer.CreateAsync(decoder, model, options, source, logger, cancellationToken).ConfigureAwait(false);
        var metadata = featurizer.Describe(source.Classes.Names);
        if (admit is not null)
        {
            await admit(metadata, cancellationToken).ConfigureAwait(false);
        }

        if (companion is not null)
        {
            await companion.OpenAsync(metadata, Path.GetFullPath(storeDirectory), cancellationToken).ConfigureAwait(false);
        }

        var cache = await FeaturizationCache.LoadAsync(storeDirectory, metadata, cancellationToken).ConfigureAwait(false);
        if (cache.Count > 0)
        {
            logger.LogInformation("{Count} images already featurized in {Store}; only new or changed images will be featurized", cache.Count, storeDirectory);
        }

        if (options.Stream is { } stream)
        {
            await StreamAsync(source, featurizer, cache, metadata, storeDirectory, options, stream, companion, counters, logger, cancellationToken, abandonToken).ConfigureAwait(false);
            return Summarize(source, counters, clock, featurizer, storeDirectory) with { IsStream = true };
        }

        // Only a store with earlier rows can hold stale ones; a fresh store needs no snapshot.
        var current = cache.Count > 0 ? new SourceSnapshot() : null;
        Func<LabelledImage, bool> isCached = current is null
            ? cache.Contains
            : image =>
            {
                current.Add(image);
                return cache.Contains(image);
            };

        var store = await FeatureStoreWriter.CreateAsync(storeDirectory, metadata, options.Store, cancellationToken).ConfigureAwait(false);
        RejectsWriter? rejects = null;
        Exception? failure = null;
        try
        {
            rejects = await RejectsWriter.CreateAsync(storeDirectory, cancellationToken).ConfigureAwait(false);

            // The rejects sink comes after the store's: an image is settled once its row is in the store.
            await featurizer.RunAsync(
                source,
                isCached,
                [new FeatureStoreSink(store), new RejectsSink(rejects)],
                counters,
                cancellationToken,
                abandonToken).ConfigureAwait(false);

            rejects.SourceCompleted();
            await rejects.CompleteAsync(cancellationToken).ConfigureAwait(false);

            // Shards do not take the store's lock, so one may have begun while this run featurized:
            // checked again before compacting (which would drop its rows) and writing _SUCCESS.
            ShardedStore.ThrowIfSharded(storeDirectory);
            if (current is not null)
            {
                await CompactAsync(cache.Store!, current, options.Store, logger, cancellationToken).ConfigureAwait(false);
            }

            await store.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            // Disposing keeps the closed parts (and on a graceful stop closes the open one); the
            // rejects go first, in the reverse order of creation as `await using` would.
            await DisposeAfterRunAsync(rejects, failure, logger).ConfigureAwait(false);
            await DisposeAfterRunAsync(store, failure, logger).ConfigureAwait(false);
        }

        return Summarize(source, counters, clock, featurizer, storeDirectory);
    }

    /// <summary>
    /// A stream: every micro-batch (full, or <see cref="StreamOptions.MaxBatchDelay"/> after its first
    /// image) is committed before the next one: its rows closed into a part of their own, its rejects
    /// into the rewritten rejects table, then its landed files archived or deleted. A SIGKILL at any
    /// moment therefore leaves each image in exactly one place a restart sees: in a complete part
    /// (skipped by the cache, and settled if the kill came before its move), or nowhere (a part
    /// half-written is a hidden temporary file, deleted at the next start, and its images are done
    /// again). A <paramref name="companion"/>'s file of a part is renamed before the part and deleted
    /// at the next start when the part is missing, so it too is there exactly when its part is.
    /// No stale rows are compacted away and no <c>_SUCCESS</c> is written: a stream never completes its
    /// source, and rejects of files it archived or deleted must stay. Its small parts are merged in
    /// the background into parts of about <see cref="FeatureStoreOptions.RowsPerPart"/> rows
    /// (<see cref="StreamCompaction"/>), in generations that readers see whole.
    /// </summary>
    private static async Task StreamAsync(
        ILabelledImageSource source,
        ImageFeaturizer featurizer,
        FeaturizationCache cache,
        FeatureStoreMetadata metadata,
        string storeDirectory,
        FeaturizationOptions options,
        StreamOptions stream,
        IFeaturePartCompanion? companion,
        FeaturizationCounters counters,
        ILogger logger,
        CancellationToken cancellationToken,
        CancellationToken abandonToken)
    {
        var landed = stream.After == LandedFileAction.Keep ? null : new LandedFileSink(stream, logger);
        Func<LabelledImage, bool> isCached = landed is null
            ? cache.Contains
            : image =>
            {
                if (!cache.Contains(image))
                {
                    return false;
                }

                // Committed by an earlier run that was killed before it moved the file.
                landed.Settle(image.Path, (image.FileBytes, image.FileModifiedUnixMs));
                return true;
            };

        var store = await FeatureStoreWriter.CreateAsync(storeDirectory, metadata, options.Store, cancellationToken).ConfigureAwait(false);
        StreamRejectsSink? rejects = null;
        StreamCompaction? compaction = null;
        Exception? failure = null;
        try
        {
            rejects = await StreamRejectsSink.CreateAsync(storeDirectory, cancellationToken).ConfigureAwait(false);
            if (FeatureStoreGenerations.TryAdopt(store.OutputDirectory, withPredictions: companion is not null))
            {
                compaction = StreamCompaction.Start(store, cache.Store, options.Store, stream.CompactGrace, logger);
            }
            else
            {
                logger.LogWarning(
                    "The filesystem of {Store} cannot swap a folder for a link (renameat2 RENAME_EXCHANGE), so this stream's small parts are not compacted: it keeps one part per micro-batch",
                    storeDirectory);
            }

            var features = new FeatureStoreSink(store, commitEachBatch: true, companion, compaction);
            var committed = new CommittedKeysSink(cache);
            IFeaturizationSink[] sinks = landed is null ? [features, committed, rejects] : [features, committed, rejects, landed];
            await featurizer.RunAsync(source, isCached, sinks, counters, cancellationToken, abandonToken, stream.MaxBatchDelay).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !abandonToken.IsCancellationRequested)
        {
            // A stop is how a stream ends: the graph returned once every batch in flight was committed.
        }
        catch (Exception e)
        {
            failure = e;
            throw;
        }
        finally
        {
            // The compaction first: it stops (its half-built generation deleted) before the writer closes.
            await DisposeAfterRunAsync(compaction, failure, logger).ConfigureAwait(false);
            await DisposeAfterRunAsync(rejects, failure, logger).ConfigureAwait(false);
            await DisposeAfterRunAsync(store, failure, logger).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Checks the precision of the store being resumed before any calibration or inference: fp32 and
    /// int8 rows cannot share a store. An int8 store's rows go on with the graph it recorded, so that
    /// a resume whose first images changed does not calibrate another one.
    /// </summary>
    /// <exception cref="InvalidDataException">The store holds features of the other precision, or int8 ones whose graph it did not record.</exception>
    private static async Task<FeaturizationOptions> WithStoresGraphAsync(string storeDirectory, FeaturizationOptions options, CancellationToken cancellationToken)
    {
        if (FeatureStoreLayout.FindParquetParts(FeatureStoreLayout.FeaturesDirectory(storeDirectory)).Count == 0)
        {
            return options;
        }

        var found = (await FeatureStoreReader.OpenAsync(storeDirectory, cancellationToken).ConfigureAwait(false)).Metadata;
        var wanted = options.Inference.Precision;
        var place = $"The output folder '{storeDirectory}'";
        if (found.Precision != wanted)
        {
            throw new InvalidDataException(
                $"{place} holds {FeatureStoreKeyValues.PrecisionName(found.Precision)} features and this run featurizes in {FeatureStoreKeyValues.PrecisionName(wanted)}: their rows cannot share one store, so run with --precision {FeatureStoreKeyValues.PrecisionName(found.Precision)}, featurize into a new folder or delete it.");
        }

        if (wanted == FeaturePrecision.Fp32)
        {
            return options;
        }

        return found.QuantizedGraph.Length == 0
            ? throw new InvalidDataException($"{place} holds int8 features that do not record which quantized graph made them ({FeatureStoreKeyValues.QuantizedGraph}), so no run can add rows that match; featurize into a new folder or delete it.")
            : options with { RecordedGraph = new RecordedQuantizedGraph(found.QuantizedGraph, place, "featurize into a new folder or delete it") };
    }

    private static FeaturizationSummary Summarize(ILabelledImageSource source, FeaturizationCounters counters, Stopwatch clock, ImageFeaturizer featurizer, string storeDirectory) =>
        new(
            counters.Read,
            counters.Featurized,
            counters.Rejected,
            counters.Cached,
            clock.Elapsed,
            featurizer.ExecutionProvider,
            storeDirectory)
        {
            Duplicates = source.Duplicates,
            QuantizedGraph = featurizer.QuantizedGraph,
        };

    /// <summary>
    /// Compacts the parts that existed before the run (the run's own hold current rows only),
    /// before <c>_SUCCESS</c> marks the store complete: a crash in between leaves an incomplete
    /// store, which the next completed run compacts again.
    /// </summary>
    private static async Task CompactAsync(FeatureStoreReader earlier, SourceSnapshot current, FeatureStoreOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var result = await FeatureStoreCompaction.CompactAsync(earlier, current.LabelIndexOf, options, cancellationToken).ConfigureAwait(false);
        if (result.PartsRewritten == 0)
        {
            return;
        }

        logger.LogInformation(
            "Compacted the feature store {Store}: removed {Removed} stale rows (images gone from the source or changed since they were featurized), relabelled {Relabelled}, rewrote {Parts} parts",
            earlier.StoreDirectory,
            result.RowsRemoved,
            result.RowsRelabelled,
            result.PartsRewritten);
    }

    /// <summary>
    /// Disposes a writer after the run. When the run already failed, a failure to clean up (the
    /// same broken disk or folder, typically) is logged rather than thrown: an exception from a
    /// dispose would replace the one that says what went wrong first.
    /// </summary>
    private static async Task DisposeAfterRunAsync(IAsyncDisposable? writer, Exception? failure, ILogger logger)
    {
        if (writer is null)
        {
            return;
        }

        if (failure is null)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
            return;
        }

        try
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Closing the {Writer} after the run failed also failed: {Reason}", writer.GetType().Name, e.Message);
        }
    }
}
