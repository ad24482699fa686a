using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.Decoding;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Sources;

namespace Pipeline.Featurization;

/// <summary>
/// A featurize run of one shard (<see cref="FeaturizationOptions.Shard"/>) into a store that the
/// other shards' processes write at the same time (<see cref="ShardedStore"/>): the shard's images
/// are featurized into a fresh attempt folder, which is then committed, unless another attempt of
/// the shard committed first, and published under the shard's names.
/// </summary>
/// <remarks>
/// An attempt does not resume an earlier one: a killed or stopped shard does its whole share again
/// in a new attempt, because an earlier attempt's folder may belong to a process still running.
/// A shard already committed is not featurized again, whatever changed in the source since.
/// </remarks>
internal static class ShardedFeaturization
{
    public static async Task<FeaturizationSummary> RunAsync(
        ILabelledImageSource source,
        ResolvedModel model,
        string storeDirectory,
        FeaturizationOptions options,
        FeaturizationCounters counters,
        ILogger logger,
        CancellationToken cancellationToken,
        CancellationToken abandonToken)
    {
        var shard = options.Shard!;
        if (options.Stream is not null || source.IsEndless)
        {
            throw new ArgumentException($"A stream cannot be sharded: shard {shard} needs a source that ends.", nameof(options));
        }

        var store = ShardedStore.Open(storeDirectory, shard);
        if (store.CommittedAttempt is { } earlier)
        {
            store.Publish();
            var done = store.TryComplete();
            logger.LogInformation("Shard {Shard} of {Store} was committed already (attempt {Attempt}); nothing to featurize", shard, store.Root, earlier);
            return new FeaturizationSummary(0, 0, 0, 0, TimeSpan.Zero, "none", storeDirectory)
            {
                QuantizedGraph = (await store.DefinedFeaturizerAsync(cancellationToken).ConfigureAwait(false))?.QuantizedGraph ?? "",
                ShardOutcome = $"shard {shard} was committed already by attempt {earlier}; {Progress(store, done)}",
            };
        }

        options = await WithSharedGraphAsync(store, source, model, options, logger, cancellationToken).ConfigureAwait(false);
        var attempt = store.BeginAttempt();
        logger.LogInformation("Featurizing shard {Shard} of {Source} into {Store}, as attempt {Attempt}", shard, source.Description, store.Root, Path.GetFileName(attempt));
        FeaturizationSummary summary;
        FeatureStoreMetadata? featurizer = null;
        try
        {
            summary = await FeaturizationJob.RunAsync(
                new ShardedImageSource(source, shard),
                model,
                attempt,
                options with
                {
                    Shard = null,
                    Store = ShardedImageSource.SchemeOf(source) is { } scheme ? options.Store with { PartKeyValues = FeatureStoreKeyValues.Of(scheme) } : options.Store,
                },
                companion: null,
                admit: (metadata, ct) =>
                {
                    featurizer = metadata;
                    return store.EnsureSameFeaturizerAsync(metadata, ct);
                },
                counters,
                logger,
                cancellationToken,
                abandonToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException && store.CommittedAttempt is { } winner)
        {
            // Another attempt committed the shard and the store's completion deleted this one's
            // folder under it: its rows are not wanted, and that is no failure of the job.
            logger.LogInformation("Shard {Shard} was committed by attempt {Winner} while this attempt ran ({Reason}); its work is discarded", shard, winner, e.Message);
            return new FeaturizationSummary(counters.Read, 0, 0, 0, TimeSpan.Zero, "none", storeDirectory)
            {
                ShardOutcome = $"shard {shard} was committed by attempt {winner} while this attempt ran; {Progress(store, store.TryComplete())}",
            };
        }

        // Checked again: another shard may have committed with another featurizer since this one started.
        await store.EnsureSameFeaturizerAsync(featurizer!, cancellationToken).ConfigureAwait(false);
        var won = store.TryCommit(attempt);
        var complete = store.TryComplete();
        var outcome = won
            ? $"shard {shard} committed; {Progress(store, complete)}"
            : $"shard {shard} was committed by attempt {store.CommittedAttempt} first, so this attempt's rows were discarded; {Progress(store, complete)}";
        logger.LogInformation("{Outcome}", outcome);
        return summary with { StoreDirectory = storeDirectory, ShardOutcome = outcome };
    }

    /// <summary>
    /// With int8, the graph every shard featurizes with: the one the store's first shard defined, or
    /// else the one calibrated on the first images of the whole source, not of this shard, so that
    /// shards starting together all calibrate the same sample into the same graph.
    /// </summary>
    private static async Task<FeaturizationOptions> WithSharedGraphAsync(
        ShardedStore store, ILabelledImageSource source, ResolvedModel model, FeaturizationOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var place = $"The sharded store '{store.Root}'";
        var defined = await store.DefinedFeaturizerAsync(cancellationToken).ConfigureAwait(false);
        var wanted = options.Inference.Precision;
        if (defined is not null && defined.Precision != wanted)
        {
            throw new InvalidDataException(
                $"{place} holds {FeatureStoreKeyValues.PrecisionName(defined.Precision)} features and shard {store.Shard} featurizes in {FeatureStoreKeyValues.PrecisionName(wanted)}: the shards of one store must share one precision, so run with --precision {FeatureStoreKeyValues.PrecisionName(defined.Precision)} or write to another output directory.");
        }

        if (wanted != FeaturePrecision.Int8)
        {
            return options;
        }

        // A run's test store is featurized with its training store's graph (see FeaturizationOptions.RecordedGraph).
        var key = defined?.QuantizedGraph is { Length: > 0 } recorded ? recorded : options.RecordedGraph?.Key;
        if (string.IsNullOrEmpty(key))
        {
            (key, _) = await ImageFeaturizer.QuantizeAsync(new ImageDecoder(options.Limits), model, options, source, logger, cancellationToken).ConfigureAwait(false);
        }

        return options with { RecordedGraph = new RecordedQuantizedGraph(key, place, "write to another output directory") };
    }

    private static string Progress(ShardedStore store, bool complete)
    {
        if (complete)
        {
            return $"all {store.Shard.Count} shards are committed and the store is complete ({FeatureStoreLayout.SuccessMarker})";
        }

        var waiting = ShardedStore.Uncommitted(store.Root, store.Shard.Count);
        return waiting.Count == 0
            ? "every shard is committed; the last one to publish writes " + FeatureStoreLayout.SuccessMarker
            : string.Create(CultureInfo.InvariantCulture, $"the store waits for {waiting.Count} of {store.Shard.Count} shards ({string.Join(", ", waiting.Take(5).Select(s => s.Index))}{(waiting.Count > 5 ? ", …" : string.Empty)})");
    }
}
