using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pipeline.FeatureStore;
using Pipeline.Prediction;

namespace Pipeline.Evaluation;

/// <summary>Scores a saved classifier on a whole labelled feature store and writes the report: <c>pipeline evaluate</c>.</summary>
public static class EvaluationJob
{
    /// <summary>
    /// Loads the model folder and the store, refuses an incomplete store (its featurize run was
    /// interrupted), a store of another featurizer (ONNX SHA-256, preprocessing, dimension, feature
    /// node) or one with a class the model does not know, and evaluates every row.
    /// </summary>
    /// <exception cref="InvalidDataException">The model or store cannot be read, or they do not fit together; one sentence naming the file.</exception>
    public static async Task<EvaluationJobResult> RunAsync(EvaluationJobOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        var clock = Stopwatch.StartNew();
        var model = await ClassifierModel.LoadAsync(options.ModelDirectory, cancellationToken).ConfigureAwait(false);
        var reader = await FeatureStoreReader.OpenAsync(options.FeaturesDirectory, cancellationToken).ConfigureAwait(false);
        reader.ThrowIfIncomplete();
        var features = await reader.ReadAllAsync(cancellationToken).ConfigureAwait(false);
        var labels = FeatureCompatibility.LabelsFor(model.Featurizer, model.Classes, features, $"Feature store '{reader.StoreDirectory}'");
        logger.LogInformation("Evaluating {Count} rows of {Store}", features.Count, reader.StoreDirectory);
        var probabilities = model.PredictProbabilities(features, cancellationToken);
        var evaluation = MulticlassEvaluator.Evaluate(labels, probabilities, model.Classes);
        var report = await EvaluationReportWriter.WriteAsync(
            options.ReportDirectory, evaluation, ClassifierReportContext.For(model) with { TestSamples = features.Count }, model.Training?.ObjectiveHistory, cancellationToken).ConfigureAwait(false);
        return new EvaluationJobResult(evaluation, report, clock.Elapsed);
    }
}
