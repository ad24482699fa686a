using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Pipeline.Classifier;
using Pipeline.Decoding;
using Pipeline.Featurization;
using Pipeline.IO;
using Pipeline.Models;
using Pipeline.Sources;

namespace Pipeline.Prediction;

/// <summary>
/// Classifies images with a saved model: featurizes them through the same featurization graph
/// the training store came from and applies the model's head to each batch as it leaves the graph.
/// The entry point that <c>pipeline predict</c>, pipeline runs and the worker share.
/// </summary>
public static class PredictionJob
{
    /// <summary>
    /// Refuses a model whose featurizer is not the zoo's file (ONNX SHA-256) or preprocessing,
    /// featurizes the inputs into a predictions sink (no feature store: a prediction run does not
    /// resume), and writes the predictions file (see <see cref="PredictionWriter"/>), rejects
    /// included. A stop drops the images in flight at once and leaves no predictions file.
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
        await model.Featurizer.EnsureSameFileAsync(resolved.OnnxPath, $"Model '{Path.GetFullPath(options.ModelDirectory)}'", cancellationToken).ConfigureAwait(false);

        var opened = await PredictionInput.OpenAsync(options.Inputs, cancellationToken).ConfigureAwait(false);
        var labelled = opened is not ImageFilesSource;
        var output = Path.GetFullPath(options.OutputPath);

        // A shard's predictions are a file of their own beside the others', named after it: N
        // processes never write one file, and an attempt run twice replaces its file whole.
        ILabelledImageSource source = opened;
        if (options.Featurization.Shard is { } shard)
        {
            source = new ShardedImageSource(opened, shard);
            output = Path.Combine(Path.GetDirectoryName(output)!, $"{Path.GetFileNameWithoutExtension(output)}-{shard.Name}{Path.GetExtension(output)}");
            logger.LogInformation("Predicting shard {Shard} of {Source} into {Output}", shard, opened.Description, output);
        }

        var folder = Path.GetDirectoryName(output)!;

        // Two predictions into the same file would race for its rename, and the last would win
        // whatever it held.
        Directory.CreateDirectory(folder);
        using var predicting = FolderLock.TryAcquire(folder, "." + Path.GetFileName(output) + ".lock", out var holder)
            ?? throw new IOException($"Predictions '{output}' are being written by another process{FolderLock.DescribeHolder(holder)}; one process at a time writes them.");
        // The head fits features of the precision, and with int8 of the quantized graph, it was trained on.
        var featurization = options.Featurization with
        {
            Inference = options.Featurization.Inference with { Precision = model.Featurizer.Precision },
            RecordedGraph = RecordedGraph(model.Featurizer, options.ModelDirectory),
        };
        using var featurizer = await ImageFeaturizer.CreateAsync(new ImageDecoder(featurization.Limits), resolved, featurization, source, logger, cancellationToken).ConfigureAwait(false);
        model.Featurizer.ThrowIfOtherThan(
            featurizer.Describe(source.Classes.Names),
            $"The input '{source.Description}'",
            $"model '{Path.GetFullPath(options.ModelDirectory)}' expects",
            "its head cannot be applied to these features");

        var predicted = 0;
        var rejected = 0;
        await AtomicFile.WriteAsync(output, async (stream, ct) =>
        {
            var writer = await PredictionWriter.CreateAsync(stream, model, ct).ConfigureAwait(false);
            await using var _ = writer.ConfigureAwait(false);
            var sink = new PredictionSink(model, writer, labelled, $"Features of '{source.Description}'");

            // Nothing of a stopped prediction is kept, so a stop abandons the batches in flight at once.
            await featurizer.RunAsync(source, _ => false, [sink], counters, ct, abandonToken: ct).ConfigureAwait(false);
            await sink.CompleteAsync(ct).ConfigureAwait(false);
            predicted = writer.Predicted;
            rejected = writer.Rejected;
        }, cancellationToken).ConfigureAwait(false);

        logger.LogInformation("Wrote {Predicted} predictions and {Rejected} rejects to {Output}", predicted, rejected, output);
        return new PredictionJobResult(output, predicted, rejected, clock.Elapsed, featurizer.ExecutionProvider);
    }

    /// <summary>The int8 graph the training features came from, which prediction featurizes with again; null for fp32.</summary>
    /// <exception cref="InvalidDataException">An int8 model that does not record its graph.</exception>
    private static RecordedQuantizedGraph? RecordedGraph(FeaturizerSignature featurizer, string modelDirectory)
    {
        if (featurizer.Precision == Inference.FeaturePrecision.Fp32)
        {
            return null;
        }

        var model = Path.GetFullPath(modelDirectory);
        return featurizer.QuantizedGraph.Length == 0
            ? throw new InvalidDataException($"Model '{model}' was trained on int8 features that do not record which quantized graph made them, so no prediction can featurize alike; featurize its training images again and retrain it.")
            : new RecordedQuantizedGraph(featurizer.QuantizedGraph, $"The training store of model '{model}'", "featurize its training images again and retrain it");
    }
}
