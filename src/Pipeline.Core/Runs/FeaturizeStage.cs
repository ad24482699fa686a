using Microsoft.Extensions.Logging;
using Pipeline.Classifier;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Prediction;
using Pipeline.Sources;
using Pipeline.PipelineFiles;

namespace Pipeline.Runs;

/// <summary>
/// The featurize stage of a pipeline run: a source into a feature store inside the run folder,
/// reusing every row that complete part files already hold (the featurization cache), so a
/// resumed run continues where it stopped and a re-run with new training settings featurizes
/// nothing. The caller owns the counters, so a stopped stage still tells what it did.
/// </summary>
internal sealed class FeaturizeStage(ILogger logger, TextWriter? terminal)
{
    public async Task<FeaturizationSummary> RunAsync(
        SourceDefinition sourceDefinition,
        ResolvedModel model,
        PipelineDefinition definition,
        string storeDirectory,
        FeaturizationCounters counters,
        CancellationToken cancellationToken,
        CancellationToken abandonToken,
        RecordedQuantizedGraph? recordedGraph = null)
    {
        var opening = new SourceOpening { Logger = logger, Watch = definition.Stream.ToWatchOptions() };
        var source = await ImageSourceFactory.OpenAsync(sourceDefinition, opening, cancellationToken).ConfigureAwait(false);
        var options = definition.Featurize.ToOptions(definition.Limits) with { RecordedGraph = recordedGraph };
        if (ShardSelection.Resolve(definition.Featurize.Shard, definition.Featurize.ShardCount, Environment.GetEnvironmentVariable, out var how) is { } shard)
        {
            logger.LogInformation("Sharding: {How}", how);
            options = options with { Shard = shard };
        }

        if (source.IsEndless)
        {
            // Refused before the predictions' model is read or the store's folders are made.
            if (options.Inference.Precision == FeaturePrecision.Int8)
            {
                throw new InvalidDataException($"featurize.precision: {source.Description} never ends; {ImageFeaturizer.StreamRefusal}");
            }

            options = options with
            {
                Stream = definition.Stream.ToOptions(new RunFolder(definition.OutputPath).Archive) with { LandingFolders = LandingFolders(sourceDefinition) },
            };
            EnsureArchiveOutsideLanding(options.Stream);
            logger.LogInformation(
                "{Source} never ends: featurizing it as a stream (micro-batches of up to {BatchSize} images, or {MaxDelay} s after their first) until stopped; a stream trains and evaluates nothing, and its test source is not read",
                source.Description,
                options.EffectiveInference.BatchSize,
                definition.Stream.MaxDelaySeconds);
        }

        var predictions = await OpenPredictionsAsync(source, definition, cancellationToken).ConfigureAwait(false);
        if (predictions is not null)
        {
            logger.LogInformation("Classifying each landed image with the model {Model} into {Predictions}", definition.Predict!.Model, new RunFolder(definition.OutputPath).Predictions);
        }

        FeaturizationSummary summary;
        await using (ProgressReporter.Start(counters, logger, terminal, stream: source.IsEndless))
        {
            summary = await FeaturizationJob.RunAsync(source, model, storeDirectory, options, predictions, admit: null, counters, logger, cancellationToken, abandonToken).ConfigureAwait(false);
        }

        if (summary.IsStream)
        {
            logger.LogInformation(
                "Stream from {Source} ended: {Featurized} images featurized, {Rejected} rejected, {Cached} already in the feature store",
                source.Description,
                summary.Featurized,
                summary.Rejected,
                summary.Cached);
        }
        else if (summary.Featurized == 0 && summary.Rejected == 0)
        {
            logger.LogInformation("Featurized nothing from {Source}: all {Cached} images were already in the feature store", source.Description, summary.Cached);
        }
        else
        {
            logger.LogInformation(
                "Featurized {Featurized} images from {Source}; {Cached} reused from the feature store, {Rejected} rejected",
                summary.Featurized,
                source.Description,
                summary.Cached,
                summary.Rejected);
        }

        return summary;
    }

    /// <summary>
    /// A stream's online predictions, when the file asks for them. The loader refuses the
    /// combinations of source and predict that make no sense from the source's kind; these checks
    /// catch what only the opened source tells.
    /// </summary>
    private static async Task<StreamPredictions?> OpenPredictionsAsync(ILabelledImageSource source, PipelineDefinition definition, CancellationToken cancellationToken)
    {
        if (definition.Predict?.Model is not { } modelDirectory)
        {
            if (source.IsEndless && definition.Predict is not null)
            {
                throw new InvalidDataException($"predict.inputs: {source.Description} never ends, so no model is trained to predict them with; give predict.model to classify each landed image");
            }

            return null;
        }

        if (!source.IsEndless)
        {
            throw new InvalidDataException($"predict.model: {source.Description} is not a stream; a batch run predicts predict.inputs with the model it trains");
        }

        var classifier = await ClassifierModel.LoadAsync(modelDirectory, cancellationToken).ConfigureAwait(false);

        // A stream featurizes in fp32, so a head fitted to int8 features would be refused only once
        // the featurizer had loaded; refused here, before any of the stream's work.
        if (classifier.Featurizer.Precision != FeaturePrecision.Fp32)
        {
            throw new InvalidDataException(
                $"predict.model: '{Path.GetFullPath(modelDirectory)}' was trained on {FeatureStoreKeyValues.PrecisionName(classifier.Featurizer.Precision)} features, and a stream featurizes in fp32 (int8 calibrates on first images a stream does not have); give a model trained on fp32 features.");
        }

        return new StreamPredictions(classifier, modelDirectory, new RunFolder(definition.OutputPath).Predictions);
    }

    /// <summary>
    /// Refuses an archive inside a landing folder: every archived file would land again under its
    /// new name, be featurized and archived once more, without end.
    /// </summary>
    /// <exception cref="InvalidDataException">The run folder's <c>archive/</c> lies inside a landing folder.</exception>
    private static void EnsureArchiveOutsideLanding(StreamOptions stream)
    {
        if (stream.After != LandedFileAction.Archive || stream.ArchiveFolder is not { } archive)
        {
            return;
        }

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(archive)) + Path.DirectorySeparatorChar;
        foreach (var landing in stream.LandingFolders)
        {
            var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(landing)) + Path.DirectorySeparatorChar;
            if (full.StartsWith(root, StringComparison.Ordinal))
            {
                throw new InvalidDataException(
                    $"stream.after: archive would move landed files into '{archive}', inside the watched folder '{landing}', where they would land again; give an output outside the watched folder, or after: keep or delete");
            }
        }
    }

    /// <summary>The folders a source definition names: where a stream's images land.</summary>
    private static string[] LandingFolders(SourceDefinition definition)
    {
        var kind = SourceKinds.Of(definition);
        var values = kind.Values(definition);
        return [.. kind.Fields.Where(f => f.Kind == SourceFieldKind.Folder).Select(f => values[f.Key])];
    }
}
