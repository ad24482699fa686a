using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pipeline.Classifier;
using Pipeline.Evaluation;
using Pipeline.Export;
using Pipeline.FeatureStore;
using Pipeline.Featurization;
using Pipeline.IO;
using Pipeline.Metrics;
using Pipeline.Models;
using Pipeline.Prediction;
using Pipeline.Sources;
using Pipeline.Training;
using Pipeline.PipelineFiles;

namespace Pipeline.Runs;

/// <summary>
/// The stages of a pipeline run: featurize the source (and the test source) into feature stores in
/// the run folder, train (or grid-search) on them and export the model, evaluate it on the test rows
/// (a stage of its own in run.json), then classify the prediction inputs. Training reads the stores,
/// so a run whose images are unchanged featurizes nothing.
/// </summary>
internal sealed class StagePipelineRunner : IPipelineRunner
{
    private readonly ILoggerFactory _loggers;
    private readonly TextWriter? _terminal;

    /// <param name="loggers">Creates the run's loggers.</param>
    /// <param name="terminal">Where a live progress bar is drawn; null logs progress lines instead (services, redirected output).</param>
    public StagePipelineRunner(ILoggerFactory loggers, TextWriter? terminal)
    {
        _loggers = loggers;
        _terminal = terminal;
    }

    /// <summary>The runner for a host's services.</summary>
    public static StagePipelineRunner Create(IServiceProvider services, TextWriter? terminal) =>
        new(services.GetRequiredService<ILoggerFactory>(), terminal);

    public async Task<RunOutcome> RunAsync(ResolvedRun run, RunJournal journal, CancellationToken cancellationToken, CancellationToken abandonToken)
    {
        var logger = _loggers.CreateLogger("run");
        var definition = run.Definition;
        var model = ModelZoo.LoadDefault().Resolve(run.ModelName, run.ModelsDirectory);
        model = model with { Spec = definition.Model.Apply(model.Spec) };
        var featurize = new FeaturizeStage(logger, _terminal);

        await journal.BeginStageAsync(RunStage.Featurize).ConfigureAwait(false);
        var trainCounters = new FeaturizationCounters();
        var testCounters = new FeaturizationCounters();
        string? testStore = null;
        try
        {
            var summary = await featurize.RunAsync(definition.Source, model, definition, run.Folder.Root, trainCounters, cancellationToken, abandonToken).ConfigureAwait(false);
            if (summary.IsStream)
            {
                // A stream ends by a stop, with every micro-batch committed, and trains nothing: its
                // store never holds the whole source (no _SUCCESS). It is recorded interrupted, so the
                // next start (a worker's too) continues it, and marked a stream, so `run` exits 0. A
                // source that ends of itself completes the stream.
                await journal.RecordStreamAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                var streamed = Counts(trainCounters, testCounters);
                await journal.RecordCountsAsync(streamed).ConfigureAwait(false);
                await journal.CompleteStageAsync(RunStage.Featurize).ConfigureAwait(false);
                return new RunOutcome(streamed, new Dictionary<string, double>());
            }

            if (definition.TestSource is { } testSource)
            {
                testStore = Path.Combine(run.Folder.Root, "test");

                // With int8, test rows calibrated on the test images would come from another graph
                // than the training rows, and training refuses them: the training store's graph makes both.
                var trainingGraph = summary.QuantizedGraph.Length == 0
                    ? null
                    : new RecordedQuantizedGraph(summary.QuantizedGraph, $"The training store '{run.Folder.Root}'", "featurize the run again into a new output");
                await featurize.RunAsync(testSource, model, definition, testStore, testCounters, cancellationToken, abandonToken, trainingGraph).ConfigureAwait(false);
            }

            if (summary.ShardOutcome is not null && !(IsComplete(run.Folder.Root) && (testStore is null || IsComplete(testStore))))
            {
                // Training needs every shard's rows: the run of the shard that completes the store trains.
                logger.LogInformation("Not training yet: {Outcome}. The run of the last shard to commit trains, evaluates and predicts", summary.ShardOutcome);
                var featurized = Counts(trainCounters, testCounters);
                await journal.RecordCountsAsync(featurized).ConfigureAwait(false);
                await journal.CompleteStageAsync(RunStage.Featurize).ConfigureAwait(false);
                return new RunOutcome(featurized, new Dictionary<string, double>());
            }

            if (summary.ShardOutcome is not null && ClaimTraining(run.Folder.Root, definition) is { } trainer)
            {
                logger.LogInformation("Not training: {Outcome}, and the run of shard {Trainer} trains this store ({Claim})", summary.ShardOutcome, trainer, TrainClaimOf(run.Folder.Root));
                var featurized = Counts(trainCounters, testCounters);
                await journal.RecordCountsAsync(featurized).ConfigureAwait(false);
                await journal.CompleteStageAsync(RunStage.Featurize).ConfigureAwait(false);
                return new RunOutcome(featurized, new Dictionary<string, double>());
            }
        }
        catch (Exception e)
        {
            // A stopped or failed run's run.json and summary tell what it did: the rows it wrote are kept
            // and reused. A failure to record them must not replace the stage's own error, though: the
            // disk that failed the stage may be run.json's.
            try
            {
                await journal.RecordCountsAsync(Counts(trainCounters, testCounters)).ConfigureAwait(false);
            }
            catch (IOException) when (e is not OperationCanceledException)
            {
            }

            throw;
        }

        var counts = Counts(trainCounters, testCounters);
        await journal.RecordCountsAsync(counts).ConfigureAwait(false);
        await journal.CompleteStageAsync(RunStage.Featurize).ConfigureAwait(false);

        await journal.BeginStageAsync(RunStage.Train).ConfigureAwait(false);
        var options = TrainingOptions(run, testStore);
        var training = await TrainingJob.RunAsync(options, logger, cancellationToken).ConfigureAwait(false);
        await OnnxExportJob.RunAsync(training.Model, training.ModelDirectory, options.ModelsDirectory, logger, cancellationToken).ConfigureAwait(false);
        await journal.CompleteStageAsync(RunStage.Train).ConfigureAwait(false);

        // A stage of its own only when there are rows to score; without, the step only removes an earlier report.
        if (EvaluationJob.Scores(training, options))
        {
            await journal.BeginStageAsync(RunStage.Evaluate).ConfigureAwait(false);
        }

        Dictionary<string, double> metrics = [];
        var evaluation = await EvaluationJob.RunAsync(training, options, cancellationToken).ConfigureAwait(false);
        if (evaluation is not null)
        {
            await journal.CompleteStageAsync(RunStage.Evaluate).ConfigureAwait(false);
            metrics = Headline(evaluation.Evaluation);
            await journal.RecordMetricsAsync(metrics).ConfigureAwait(false);
            await journal.RecordReportAsync(evaluation.Report.Folder).ConfigureAwait(false);
        }

        if (definition.Predict is { } predict)
        {
            await journal.BeginStageAsync(RunStage.Predict).ConfigureAwait(false);
            await PredictionJob.RunAsync(
                new PredictionJobOptions
                {
                    ModelDirectory = run.Folder.Model,
                    Inputs = predict.Inputs,
                    OutputPath = Path.Combine(run.Folder.Predictions, "predictions.parquet"),
                    ModelsDirectory = run.ModelsDirectory,
                    // The part settings are for the run's resumable stores; predictions go to a throwaway store.
                    Featurization = definition.Featurize.ToOptions(definition.Limits) with { Store = new() },
                },
                new FeaturizationCounters(),
                logger,
                cancellationToken).ConfigureAwait(false);
            await journal.CompleteStageAsync(RunStage.Predict).ConfigureAwait(false);
        }

        return new RunOutcome(counts, metrics, evaluation?.Report.Folder);
    }

    internal static TrainingJobOptions TrainingOptions(ResolvedRun run, string? testStore)
    {
        var definition = run.Definition;
        var split = definition.Split ?? new SplitSettings();
        var options = new TrainingJobOptions
        {
            FeaturesDirectory = run.Folder.Root,
            TestFeaturesDirectory = testStore,
            OutputDirectory = run.Folder.Model,
            ReportDirectory = run.Folder.Report,
            Evaluate = definition.Evaluate,
            ModelsDirectory = run.ModelsDirectory,
            Regression = definition.Train,
            TestFraction = split.TestFraction,
            Seed = (ulong)split.Seed,
            Stratified = split.Stratify,
        };

        // Without a grid, the grid-only settings keep TrainingJobOptions' own defaults.
        return definition.Grid is not { } grid ? options : options with
        {
            GridRegParams = grid.RegParam,
            GridElasticNetParams = grid.ElasticNetParam,
            GridStandardization = grid.Standardization,
            FoldSeed = (ulong)grid.Seed,
            Folds = grid.Folds,
            Metric = grid.Metric,
        };
    }

    private static RunCounts Counts(FeaturizationCounters train, FeaturizationCounters test) => new(
        train.Read + test.Read,
        train.Featurized + test.Featurized,
        train.Cached + test.Cached,
        train.Rejected + test.Rejected);

    private static Dictionary<string, double> Headline(MulticlassEvaluation evaluation)
    {
        var metrics = new Dictionary<string, double>
        {
            ["accuracy"] = evaluation.Accuracy,
            ["weightedPrecision"] = evaluation.WeightedPrecision,
            ["weightedRecall"] = evaluation.WeightedRecall,
            ["weightedF1"] = evaluation.WeightedF1,
            ["logLoss"] = evaluation.LogLoss,
        };
        if (evaluation.MacroRocAuc is { } auc)
        {
            metrics["macroRocAuc"] = auc;
        }

        return metrics;
    }

    /// <summary>
    /// Elects the one shard whose run trains a complete store: the first to create
    /// <c>_shards/train.claimed</c> (<see cref="FirstWriterWins"/>), so two shards that both see the
    /// store complete, or a shard run again after the store completed, never write <c>model/</c> and
    /// run.json at once. Returns null when this shard trains (it won, or it is the winner's own shard
    /// run again, say after its training failed: shard runs of one index exclude each other by their
    /// run lock), else the shard that does.
    /// </summary>
    private static string? ClaimTraining(string store, PipelineDefinition definition)
    {
        var shard = ShardSelection.Resolve(definition.Featurize.Shard, definition.Featurize.ShardCount, Environment.GetEnvironmentVariable, out _)!;
        var claim = TrainClaimOf(store);
        if (FirstWriterWins.TryCreate(claim, shard + "\n"))
        {
            return null;
        }

        var trainer = File.ReadAllText(claim).Trim();
        return string.Equals(trainer, shard.ToString(), StringComparison.Ordinal) ? null : trainer;
    }

    private static string TrainClaimOf(string store) => Path.Combine(store, FeatureStoreLayout.ShardMarkersFolder, "train.claimed");

    private static bool IsComplete(string store) =>
        File.Exists(Path.Combine(FeatureStoreLayout.FeaturesDirectory(store), FeatureStoreLayout.SuccessMarker));
}
