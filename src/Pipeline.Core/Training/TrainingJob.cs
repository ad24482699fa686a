using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.Evaluation;
using Pipeline.Export;
using Pipeline.FeatureStore;
using Pipeline.IO;
using Pipeline.Models;
using Pipeline.Prediction;

namespace Pipeline.Training;

/// <summary>
/// Trains a classifier on a feature store and saves it as a model folder with its test report:
/// the one entry point that <c>pipeline train</c>, pipeline runs and the worker share.
/// </summary>
public static class TrainingJob
{
    /// <summary>
    /// Reads the store, holds out the test rows (or reads <see cref="TrainingJobOptions.TestFeaturesDirectory"/>),
    /// fits (or grid-searches by k-fold cross-validation and refits the best point), writes
    /// <c>model.json</c> and <c>model.onnx</c>, evaluates on the test rows and writes the report.
    /// With a test fraction of 0 and no test store every row is trained on (and cross-validated on
    /// by a grid search) and nothing is evaluated: the result has no evaluation and no report.
    /// </summary>
    /// <exception cref="InvalidDataException">The store is empty or incomplete, has one class, holds a non-finite
    /// feature, the test store comes from another featurizer, or the test split is empty; one
    /// sentence naming the store.</exception>
    public static async Task<TrainingJobResult> RunAsync(TrainingJobOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var clock = Stopwatch.StartNew();
        var features = await ReadAsync(options.FeaturesDirectory, cancellationToken).ConfigureAwait(false);
        var featurizer = FeaturizerSignature.FromMetadata(features.Metadata);
        var classes = features.Classes.Names;
        var all = new TrainingSet(features.Features, features.LabelIndices, features.Dimension, classes.Count, classes);

        TrainingSet train;
        FeatureSet? test;
        int[] testLabels;
        if (options.TestFeaturesDirectory is { } testDirectory)
        {
            train = all;
            test = await ReadAsync(testDirectory, cancellationToken).ConfigureAwait(false);
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
        Directory.CreateDirectory(directory);
        var warnings = new List<string>();
        var onnx = await ExportOnnxAsync(model, directory, options.ModelsDirectory, warnings, cancellationToken).ConfigureAwait(false);
        await model.SaveAsync(directory, onnx is null ? null : ClassifierModel.OnnxFileName, cancellationToken).ConfigureAwait(false);
        foreach (var warning in warnings)
        {
            logger.LogWarning("{Warning}", warning);
        }

        MulticlassEvaluation? evaluation = null;
        EvaluationReport? report = null;
        if (options.Evaluate && test is not null)
        {
            var probabilities = model.PredictProbabilities(test, cancellationToken);
            evaluation = MulticlassEvaluator.Evaluate(testLabels, probabilities, classes);
            var context = ClassifierReportContext.For(model) with
            {
                MarkdownAppendix = grid is null
                    ? null
                    : $"\n## Grid search\n\nSelected by {options.Metric.SparkName()} over {options.Folds}-fold cross-validation on the training rows.\n\n{GridSearchTable.Render(grid, options.Metric, options.Folds)}",
            };
            report = await EvaluationReportWriter.WriteAsync(
                options.ReportDirectoryOrDefault, evaluation, context, summary.ObjectiveHistory, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // An earlier report there scored another model; left in place it would pass for this one's.
            EvaluationReportWriter.Delete(options.ReportDirectoryOrDefault);
        }

        return new TrainingJobResult(
            model, directory, onnx, train.Count, test?.Count ?? 0, summary, trainingSeconds, clock.Elapsed, grid, evaluation, report, warnings);
    }

    internal static GridSearchOptions GridOptions(TrainingJobOptions options) => new()
    {
        RegParams = options.GridRegParams ?? [options.Regression.RegParam],
        ElasticNetParams = options.GridElasticNetParams ?? [options.Regression.ElasticNetParam],
        BaseOptions = options.Regression,
        Folds = options.Folds,
        Seed = options.FoldSeed ?? options.Seed,
        Metric = options.Metric.ToMetric(),
        LargerIsBetter = options.Metric.LargerIsBetter(),
    };

    /// <summary>
    /// Reads a store for training or testing, refusing one whose featurize run was interrupted,
    /// and checks what the solver would otherwise reject with a less helpful message: a single
    /// class, a non-finite feature (named by row and path).
    /// </summary>
    private static async Task<FeatureSet> ReadAsync(string directory, CancellationToken cancellationToken)
    {
        var reader = await FeatureStoreReader.OpenAsync(directory, cancellationToken).ConfigureAwait(false);
        reader.ThrowIfIncomplete();
        var set = await reader.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        if (set.Classes.Count < 2)
        {
            throw new InvalidDataException(
                $"Feature store '{reader.StoreDirectory}' has a single class ('{set.Classes.Names[0]}'); a classifier needs at least two.");
        }

        FeatureCompatibility.EnsureFinite(set, $"Feature store '{reader.StoreDirectory}'");
        return set;
    }

    /// <summary>
    /// Writes <c>model.onnx</c> when the featurizer the store was made with can be found in the zoo
    /// with the same ONNX file; otherwise removes any older export (it would belong to another
    /// head) and says why in <paramref name="warnings"/>.
    /// </summary>
    private static async Task<string?> ExportOnnxAsync(
        ClassifierModel model, string directory, string modelsDirectory, List<string> warnings, CancellationToken cancellationToken)
    {
        var path = Path.Combine(directory, ClassifierModel.OnnxFileName);
        File.Delete(path);
        var featurizer = model.Featurizer;
        ResolvedModel resolved;
        try
        {
            resolved = featurizer.Resolve(ModelZoo.LoadDefault(), modelsDirectory);
        }
        catch (ModelZooException e)
        {
            warnings.Add($"{ClassifierModel.OnnxFileName} was not exported: {e.Message}");
            return null;
        }

        var sha = await FeaturizerSignature.ComputeSha256Async(resolved.OnnxPath, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(sha, featurizer.ModelSha256, StringComparison.OrdinalIgnoreCase))
        {
            warnings.Add(
                $"{ClassifierModel.OnnxFileName} was not exported: '{resolved.OnnxPath}' has SHA-256 {sha[..12]}…, but the features were made with {featurizer.ModelSha256[..Math.Min(12, featurizer.ModelSha256.Length)]}…, so the head would sit on another featurizer.");
            return null;
        }

        var regression = model.Regression;
        var coefficients = Array.ConvertAll(regression.Coefficients, c => (float)c);
        var intercepts = Array.ConvertAll(regression.Intercepts, c => (float)c);
        var bytes = OnnxClassifierExporter.Export(resolved.Spec, resolved.OnnxPath, coefficients, intercepts, model.Classes);
        await AtomicFile.WriteAllBytesAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        return path;
    }
}
