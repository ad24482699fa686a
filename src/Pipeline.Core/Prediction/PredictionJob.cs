using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.IO;
using Pipeline.Models;
using Pipeline.Sources;

namespace Pipeline.Prediction;

/// <summary>
/// Classifies images with a saved model: featurizes them through the same featurization graph
/// the training store came from and applies the model's head. The entry point that
/// <c>pipeline predict</c>, pipeline runs and the worker share.
/// </summary>
public static class PredictionJob
{
    /// <summary>
    /// Refuses a model whose featurizer is not the zoo's file (ONNX SHA-256) or preprocessing,
    /// featurizes the inputs into a hidden store beside the output
    /// (<c>.&lt;output name&gt;.features/</c>, removed afterwards: a prediction run does not resume),
    /// and writes the predictions file (see <see cref="PredictionWriter"/>), rejects included.
    /// </summary>
    /// <exception cref="InvalidDataException">The model folder is unreadable or was trained on another featurizer; one sentence naming the file.</exception>
    /// <exception cref="ModelZooException">The model's featurizer is not in the zoo or its file is missing.</exception>
    /// <exception cref="SourceException">The input is missing or of no known kind.</exception>
    /// <exception cref="IOException">Another process is writing the same predictions file.</exception>
    public static async Task<PredictionJobResult> RunAsync(
        PredictionJobOptions options, FeaturizationCounters counters, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(logger);
        var clock = Stopwatch.StartNew();
        var model = await ClassifierModel.LoadAsync(options.ModelDirectory, cancellationToken).ConfigureAwait(false);
        var resolved = model.Featurizer.Resolve(ModelZoo.LoadDefault(), options.ModelsDirectory);
        var sha = await FeaturizerSignature.ComputeSha256Async(resolved.OnnxPath, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(sha, model.Featurizer.ModelSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"Model '{Path.GetFullPath(options.ModelDirectory)}' was trained on features of ONNX SHA-256 {model.Featurizer.ModelSha256} ({model.Featurizer.ModelName}), but '{resolved.OnnxPath}' has SHA-256 {sha}; its head cannot be applied to that featurizer's features.");
        }

        var source = await PredictionInput.OpenAsync(options.Inputs, cancellationToken).ConfigureAwait(false);
        var output = Path.GetFullPath(options.OutputPath);
        var folder = Path.GetDirectoryName(output)!;
        var store = Path.Combine(folder, "." + Path.GetFileName(output) + ".features");

        // A second prediction into the same file would delete this one's store from under it. The lock
        // file lies beside the output rather than in the store, which is deleted.
        Directory.CreateDirectory(folder);
        using var predicting = FolderLock.TryAcquire(folder, "." + Path.GetFileName(output) + ".lock", out var holder)
            ?? throw new IOException($"Predictions '{output}' are being written by another process{FolderLock.DescribeHolder(holder)}; one process at a time writes them.");
        DeleteStore(store);
        try
        {
            // The store is thrown away when the job stops, so a stop abandons the batches in flight at once.
            var summary = await FeaturizationJob.RunAsync(source, resolved, store, options.Featurization, counters, logger, cancellationToken, abandonToken: cancellationToken).ConfigureAwait(false);
            var rejects = await RejectsReader.ReadAsync(store, cancellationToken).ConfigureAwait(false);
            string[] paths = [];
            string?[] labels = [];
            double[] probabilities = [];
            if (summary.Featurized > 0)
            {
                var reader = await FeatureStoreReader.OpenAsync(store, cancellationToken).ConfigureAwait(false);
                var features = await reader.ReadAllAsync(cancellationToken).ConfigureAwait(false);
                model.Featurizer.ThrowIfOtherThan(
                    features.Metadata,
                    $"The input '{source.Description}'",
                    $"model '{Path.GetFullPath(options.ModelDirectory)}' expects",
                    "its head cannot be applied to these features");

                FeatureCompatibility.EnsureFinite(features, $"Features of '{source.Description}'");
                paths = features.Paths;
                labels = source is ImageFilesSource ? new string?[features.Count] : features.Labels;
                probabilities = model.PredictProbabilities(features, cancellationToken);
            }

            await PredictionWriter.WriteAsync(output, model, paths, labels, probabilities, rejects, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("Wrote {Predicted} predictions and {Rejected} rejects to {Output}", paths.Length, rejects.Count, output);
            return new PredictionJobResult(output, paths.Length, rejects.Count, clock.Elapsed, summary.ExecutionProvider);
        }
        finally
        {
            DeleteStore(store);
        }
    }

    private static void DeleteStore(string store)
    {
        if (Directory.Exists(store))
        {
            Directory.Delete(store, recursive: true);
        }
    }
}
