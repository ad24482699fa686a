using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pipeline.Classifier;
using Pipeline.FeatureStore;
using Pipeline.Metrics;
using Pipeline.Models;
using Pipeline.Training;

namespace Pipeline.Evaluation;

/// <summary>
/// Scores a saved classifier and writes the report: on a whole labelled feature store
/// (<c>pipeline evaluate</c>), or on the test rows its training set apart (the evaluation step of
/// <c>pipeline train</c> and of pipeline runs, timed there as a stage of its own).
/// </summary>
public static class EvaluationJob
{
    /// <summary>
    /// Loads the model folder and the store, refuses an incomplete store (its featurize run was
    /// interrupted), a store of another featurizer (ONNX SHA-256, preprocessing, dimension, feature
    /// node) or one with a class the model does not know, and evaluates every row.
    /// </summary>
    /// <exception cref="InvalidDataException">The model or store cannot be read, or they do not fit together; one sentence naming the file.</exception>
    /// <exception cref="InsufficientMemoryException">The store will not fit in this process's memory (<see cref="TrainingMemory.EvaluationRequiredBytes"/>); refused before a row is read.</exception>
    public static async Task<EvaluationJobResult> RunAsync(EvaluationJobOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var clock = Stopwatch.StartNew();
        var model = await ClassifierModel.LoadAsync(options.ModelDirectory, cancellationToken).ConfigureAwait(false);
        var reader = await FeatureStoreReader.OpenAsync(options.FeaturesDirectory, cancellationToken).ConfigureAwait(false);
        reader.ThrowIfIncomplete();
        var what = $"Feature store '{reader.StoreDirectory}'";
        var layers = model.Featurizer.LayerList;
        var selectsLayers = layers.Count > 0 && !string.Equals(string.Join(',', layers), reader.Metadata.Layers, StringComparison.OrdinalIgnoreCase);
        TrainingMemory.EnsureFits(
            reader.StoreDirectory,
            reader.Count,
            reader.Metadata.Dimension,
            TrainingMemory.EvaluationRequiredBytes(reader.Count, reader.Metadata.Dimension, model.Classes.Count, selectsLayers),
            TrainingMemory.AvailableBytes(),
            evaluation: true);

        // A model trained on some of a store's layers (train --layers) scores a store holding more, as training's test rows were.
        var features = FeatureLayerSelection.Select(
            await reader.ReadAllAsync(cancellationToken).ConfigureAwait(false), model.Featurizer.LayerList, ModelZoo.LoadDefault(), what);
        var labels = FeatureCompatibility.LabelsFor(model.Featurizer, model.Classes, features, what);
        logger.LogInformation("Evaluating {Count} rows of {Store}", features.Count, reader.StoreDirectory);
        return await ScoreAsync(
            model, features, labels, options.ReportDirectory, ClassifierReportContext.For(model) with { TestSamples = features.Count }, clock, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The evaluation step after <see cref="TrainingJob"/>: scores the classifier it saved on the
    /// test rows it set apart and writes the report into <see cref="TrainingJobOptions.ReportDirectoryOrDefault"/>,
    /// with the grid search's table when there was one. With <see cref="TrainingJobOptions.Evaluate"/>
    /// off or no test rows it writes nothing and returns null.
    /// </summary>
    public static async Task<EvaluationJobResult?> RunAsync(TrainingJobResult training, TrainingJobOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Evaluate || training.Test is not { } test)
        {
            // An earlier report there scored another model; left in place it would pass for this one's.
            EvaluationReportWriter.Delete(options.ReportDirectoryOrDefault);
            return null;
        }

        var clock = Stopwatch.StartNew();
        var context = ClassifierReportContext.For(training.Model) with
        {
            MarkdownAppendix = training.GridSearch is not { } grid
                ? null
                : $"\n## Grid search\n\nSelected by {options.Metric.SparkName()} over {options.Folds}-fold cross-validation on the training rows.\n\n{GridSearchTable.Render(grid, options.Metric, options.Folds)}",
        };
        return await ScoreAsync(training.Model, test, training.TestLabels, options.ReportDirectoryOrDefault, context, clock, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether <see cref="RunAsync(TrainingJobResult, TrainingJobOptions, CancellationToken)"/> scores anything: evaluation is on and the training set test rows apart.</summary>
    internal static bool Scores(TrainingJobResult training, TrainingJobOptions options) => options.Evaluate && training.Test is not null;

    private static async Task<EvaluationJobResult> ScoreAsync(
        ClassifierModel model, FeatureSet features, int[] labels, string reportDirectory, EvaluationContext context, Stopwatch clock, CancellationToken cancellationToken)
    {
        var probabilities = model.PredictProbabilities(features, cancellationToken);
        var evaluation = MulticlassEvaluator.Evaluate(labels, probabilities, model.Classes);
        var report = await EvaluationReportWriter.WriteAsync(
            reportDirectory, evaluation, context, model.Training?.ObjectiveHistory, cancellationToken).ConfigureAwait(false);
        return new EvaluationJobResult(evaluation, report, clock.Elapsed);
    }
}
