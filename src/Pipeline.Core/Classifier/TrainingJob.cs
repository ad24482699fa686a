using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.FeatureStore;
using Pipeline.Models;
using Pipeline.Training;

namespace Pipeline.Classifier;

/// <summary>
/// Trains a classifier on a feature store and saves it as a model folder: the training step that
/// <c>pipeline train</c> and pipeline runs share. Exporting <c>model.onnx</c>
/// (<see cref="Export.OnnxExportJob"/>) and scoring the test rows (<see cref="Evaluation.EvaluationJob"/>)
/// are steps of their own that take this job's result, so that a run times them apart from the fit
/// and this folder does not depend on theirs.
/// </summary>
public static class TrainingJob
{
    /// <summary>
    /// Reads the store, holds out the test rows (or reads <see cref="TrainingJobOptions.TestFeaturesDirectory"/>),
    /// fits (or grid-searches by k-fold cross-validation and refits the best point) and writes
    /// <c>model.json</c>. The test rows come back in the result for the evaluation step. With a test
    /// fraction of 0 and no test store every row is trained on (and cross-validated on by a grid
    /// search) and the result holds no test rows.
    /// </summary>
    /// <exception cref="InvalidDataException">The store is empty or incomplete, has one class, holds a non-finite
    /// feature, the test store comes from another featurizer, or the test split is empty; one
    /// sentence naming the store.</exception>
    /// <exception cref="InsufficientMemoryException">The stores will not fit in this process's memory
    /// (<see cref="TrainingMemory"/>); refused before a row is read.</exception>
    public static async Task<TrainingJobResult> RunAsync(TrainingJobOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var clock = Stopwatch.StartNew();
        var store = await OpenAsync(options.FeaturesDirectory, cancellationToken).ConfigureAwait(false);
        var testStore = options.TestFeaturesDirectory is { } testPath ? await OpenAsync(testPath, cancellationToken).ConfigureAwait(false) : null;
        var dimension = store.Metadata.Dimension;
        TrainingMemory.EnsureFits(
            store.StoreDirectory,
            store.Count,
            dimension,
            TrainingMemory.RequiredBytes(store.Count, dimension, testStore?.Count ?? 0, options),
            TrainingMemory.AvailableBytes());
        var features = await ReadAsync(store, options.Layers, cancellationToken).ConfigureAwait(false);
        var featurizer = FeaturizerSignature.FromMetadata(features.Metadata);
        var classes = features.Classes.Names;
        var all = new TrainingSet(features.Features, features.LabelIndices, features.Dimension, classes.Count, classes);

        TrainingSet train;
        FeatureSet? test;
        int[] testLabels;
        if (options.TestFeaturesDirectory is { } testDirectory)
        {
            train = all;
            test = await ReadAsync(testStore!, options.Layers, cancellationToken).ConfigureAwait(false);
            testLabels = FeatureCompatibility.LabelsFor(featurizer, classes, test, $"Test feature store '{Path.GetFullPath(testDirectory)}'");
        }
        else if (!options.HasTestRows)
        {
            train = all;
            test = null;
            testLabels = [];
        }
        else
        {
            var split = TrainTestSplit.Split(all, options.TestFraction, options.Seed, options.Stratified);
            if (split.TestRows.Length == 0 || split.TrainRows.Length == 0)
            {
                throw new InvalidDataException(
                    $"Feature store '{Path.GetFullPath(options.FeaturesDirectory)}' has {all.Count} rows, too few to hold out a test fraction of {options.TestFraction.ToString(CultureInfo.InvariantCulture)} and still train.");
            }

            train = all.Select(split.TrainRows);
            test = features.Subset(split.TestRows);
            testLabels = test.LabelIndices;
        }

        if (test is null)
        {
            logger.LogInformation("Training on all {Train} rows ({Classes} classes, {Dimension} features from {Model}); testFraction is 0 and there is no test store, so there is no evaluation", train.Count, classes.Count, featurizer.Dimension, featurizer.ModelName);
        }
        else
        {
            logger.LogInformation("Training on {Train} rows, testing on {Test} rows ({Classes} classes, {Dimension} features from {Model})", train.Count, test.Count, classes.Count, featurizer.Dimension, featurizer.ModelName);
        }

        var fitClock = Stopwatch.StartNew();
        GridSearchResult? grid = null;
        LogisticRegressionModel regression;
        if (options.IsGridSearch)
        {
            grid = GridSearch.Run(train, GridOptions(options), cancellationToken);
            regression = grid.Model;
        }
        else
        {
            regression = new ElasticNetLogisticRegression(options.Regression).Fit(train, cancellationToken);
        }

        var trainingSeconds = fitClock.Elapsed.TotalSeconds;
        var summary = regression.Summary!;
        logger.LogInformation("Fitted in {Seconds:F1} s: {Iterations} iterations, stopped by {StopReason}", trainingSeconds, summary.Iterations, summary.StopReason);

        var training = new ClassifierTraining(
            summary.Options,
            train.Count,
            test?.Count ?? 0,
            summary.Iterations,
            summary.StopReason,
            trainingSeconds,
            summary.ObjectiveHistory,
            Path.GetFullPath(options.FeaturesDirectory),
            options.TestFeaturesDirectory is null ? null : Path.GetFullPath(options.TestFeaturesDirectory),
            options.TestFeaturesDirectory is null ? options.TestFraction : null,
            options.Seed,
            options.Stratified,
            grid is null ? null : new ClassifierGridSearch(options.Metric.SparkName(), options.Folds, grid.Points, grid.Best));
        var model = new ClassifierModel(featurizer, regression, training, DateTimeOffset.UtcNow);

        var directory = Path.GetFullPath(options.OutputDirectory);
        await model.SaveAsync(directory, onnxFileName: null, cancellationToken).ConfigureAwait(false);

        // An earlier model.onnx there holds another head; model.json, now written, no longer names it.
        File.Delete(Path.Combine(directory, ClassifierModel.OnnxFileName));
        return new TrainingJobResult(model, directory, train.Count, test, testLabels, summary, trainingSeconds, clock.Elapsed, grid);
    }

    internal static GridSearchOptions GridOptions(TrainingJobOptions options) => new()
    {
        RegParams = options.GridRegParams ?? [options.Regression.RegParam],
        ElasticNetParams = options.GridElasticNetParams ?? [options.Regression.ElasticNetParam],
        Standardizations = options.GridStandardization ?? [options.Regression.Standardization],
        BaseOptions = options.Regression,
        Folds = options.Folds,
        Seed = options.FoldSeed ?? options.Seed,
        Metric = options.Metric.ToMetric(),
        LargerIsBetter = options.Metric.LargerIsBetter(),
    };

    /// <summary>Opens a store for training or testing (its footers only), refusing one whose featurize run was interrupted.</summary>
    private static async Task<FeatureStoreReader> OpenAsync(string directory, CancellationToken cancellationToken)
    {
        var reader = await FeatureStoreReader.OpenAsync(directory, cancellationToken).ConfigureAwait(false);
        reader.ThrowIfIncomplete();
        return reader;
    }

    /// <summary>
    /// Reads every row of an opened store and checks what the solver would otherwise reject with a
    /// less helpful message: a single class, a non-finite feature (named by row and path). With
    /// <paramref name="layers"/>, only those layers' columns (<see cref="FeatureLayerSelection"/>).
    /// </summary>
    private static async Task<FeatureSet> ReadAsync(FeatureStoreReader reader, IReadOnlyList<string> layers, CancellationToken cancellationToken)
    {
        var set = await reader.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        if (set.Classes.Count < 2)
        {
            throw new InvalidDataException(
                $"Feature store '{reader.StoreDirectory}' has a single class ('{set.Classes.Names[0]}'); a classifier needs at least two.");
        }

        FeatureCompatibility.EnsureFinite(set, $"Feature store '{reader.StoreDirectory}'");
        return layers.Count == 0 ? set : FeatureLayerSelection.Select(set, layers, ModelZoo.LoadDefault(), $"Feature store '{reader.StoreDirectory}'");
    }
}
