using Microsoft.Extensions.Logging;
using Pipeline.Featurization;
using Pipeline.Models;
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
        CancellationToken abandonToken)
    {
        // The one place a run decides between a batch and a streaming featurize; this version has only
        // the batch one, which would wait for a watch source's end forever.
        if (sourceDefinition is WatchSourceDefinition watch)
        {
            throw new SourceException(
                $"Source 'watch {watch.Path}': watch sources need a streaming run, which this version does not have yet; use kind: folder to featurize what the folder holds now.");
        }

        var source = await ImageSourceFactory.OpenAsync(sourceDefinition, cancellationToken).ConfigureAwait(false);
        var options = definition.Featurize.ToOptions(definition.Limits);

        FeaturizationSummary summary;
        await using (ProgressReporter.Start(counters, logger, terminal))
        {
            summary = await FeaturizationJob.RunAsync(source, model, storeDirectory, options, counters, logger, cancellationToken, abandonToken).ConfigureAwait(false);
        }

        if (summary.Featurized == 0 && summary.Rejected == 0)
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
}
