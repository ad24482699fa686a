using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.Decoding;
using Pipeline.FeatureStore;
using Pipeline.IO;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Preprocessing;
using Pipeline.Sources;

namespace Pipeline.Featurization;

/// <summary>
/// One zoo model set up to featurize images: the decoder, the preprocessing and the ONNX Runtime
/// session that featurizing into a store and predicting both need, and the featurization graph run
/// over a source into the sinks the job chooses.
/// </summary>
internal sealed class ImageFeaturizer : IDisposable
{
    private readonly ImageDecoder _decoder;
    private readonly TensorPreprocessor _preprocessor;
    private readonly FeatureExtractor _extractor;
    private readonly string _modelName;
    private readonly int _parallelism;
    private readonly ILogger _logger;

    /// <summary>Loads <paramref name="model"/> into an inference session on the device <paramref name="options"/> ask for.</summary>
    /// <param name="decoder">Made by the caller, so that its limits are validated before the caller takes any lock or creates any folder.</param>
    /// <param name="model">The zoo model to featurize with.</param>
    /// <param name="options">Device, batch size and parallelism (the store options are the caller's).</param>
    /// <param name="logger">Where the session and the run report.</param>
    /// <param name="quantizedPath">With int8, the quantized featurizer (see <see cref="CreateAsync"/>).</param>
    public ImageFeaturizer(ImageDecoder decoder, ResolvedModel model, FeaturizationOptions options, ILogger logger, string? quantizedPath = null)
    {
        _decoder = decoder;
        _extractor = new FeatureExtractor(model.Spec, model.OnnxPath, options.EffectiveInference, logger, quantizedPath);
        try
        {
            _preprocessor = new TensorPreprocessor(model.Spec, model.MeanImagePath);
        }
        catch
        {
            _extractor.Dispose();
            throw;
        }

        _modelName = model.Spec.Name;
        _parallelism = options.Parallelism;
        _logger = logger;
    }

    /// <summary>
    /// The featurizer for <paramref name="source"/>: with int8, the quantized featurizer calibrated
    /// on the source's first <see cref="FeaturizationOptions.CalibrationImages"/> images, taken from
    /// the cache beside the model when the same file was calibrated on the same sample before (the
    /// key is the model's SHA-256, the scheme, the preprocessing and each sample image's path, size
    /// and modification time), else calibrated now and cached.
    /// </summary>
    public static async Task<ImageFeaturizer> CreateAsync(
        ImageDecoder decoder, ResolvedModel model, FeaturizationOptions options, ILabelledImageSource source, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        if (options.Inference.Precision == FeaturePrecision.Fp32)
        {
            return new ImageFeaturizer(decoder, model, options, logger);
        }

        if (options.Stream is not null)
        {
            throw new ArgumentException("--precision int8 calibrates on the source's first images, which a stream does not have up front; featurize a stream in fp32.", nameof(options));
        }

        var sample = new List<LabelledImage>(options.CalibrationImages);
        await foreach (var image in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            sample.Add(image);
            if (sample.Count == options.CalibrationImages)
            {
                break;
            }
        }

        var sha = await FeaturizerSha256Async(model.OnnxPath, cancellationToken).ConfigureAwait(false);
        var key = Int8Calibrator.CacheKey(
            sha,
            TensorPreprocessor.Describe(model.Spec),

            // Every node read, in order: another set of layers, or the same in another order, is another graph.
            model.Spec.FeatureNodes,
            sample.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Path}\t{i.FileBytes}\t{i.FileModifiedUnixMs}")));
        var path = Int8Calibrator.CachePath(model.OnnxPath, key);
        if (File.Exists(path))
        {
            logger.LogInformation("int8: using {Path}, quantized before on the same {Count} calibration images", path, sample.Count);
        }
        else
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var quantized = Calibrate(decoder, model, options, sample, cancellationToken);
            await AtomicFile.WriteAllBytesAsync(path, quantized, cancellationToken).ConfigureAwait(false);
            logger.LogInformation("int8: calibrated on {Count} images in {Seconds:F1} s (MinMax), cached as {Path}", sample.Count, clock.Elapsed.TotalSeconds, path);
        }

        return new ImageFeaturizer(decoder, model, options, logger, path);
    }

    /// <summary>Decodes and preprocesses the sample as the run will, and quantizes with the ranges it produced.</summary>
    private static byte[] Calibrate(ImageDecoder decoder, ResolvedModel model, FeaturizationOptions options, IReadOnlyList<LabelledImage> sample, CancellationToken cancellationToken)
    {
        // Small batches: the calibration session returns every quantized tensor of the batch at once.
        using var calibrator = new Int8Calibrator(model.Spec, model.OnnxPath, batchSize: 4, options.Inference.IntraOpThreads);
        var preprocessor = new TensorPreprocessor(model.Spec, model.MeanImagePath);
        var spec = model.Spec;
        var filled = 0;
        foreach (var image in sample)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var outcome = decoder.Decode(image, spec.InputSize, spec.InputSize, spec.Resize);
            if (!outcome.IsDecoded)
            {
                continue;
            }

            using (var decoded = outcome.Image)
            {
                preprocessor.Write(decoded.Pixels, calibrator.Slot(filled++));
            }

            if (filled == calibrator.BatchSize)
            {
                calibrator.Observe(filled);
                filled = 0;
            }
        }

        calibrator.Observe(filled);
        return calibrator.Quantize();
    }

    private static async Task<string> FeaturizerSha256Async(string onnxPath, CancellationToken cancellationToken)
    {
        var stream = new FileStream(onnxPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using var _ = stream.ConfigureAwait(false);
        return Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>fp32 or int8.</summary>
    public FeaturePrecision Precision => _extractor.Precision;

    /// <summary>Where the model runs: CPU or CUDA.</summary>
    public string ExecutionProvider => _extractor.ExecutionProvider;

    /// <summary>What the features this featurizer gives are, as a store records it, for images of <paramref name="classes"/>.</summary>
    public FeatureStoreMetadata Describe(IReadOnlyList<string> classes) => new(
        _modelName,
        _extractor.ModelSha256,
        _extractor.FeatureNode,
        _extractor.FeatureDimension,
        _preprocessor.Describe(),
        classes,
        DateTimeOffset.UtcNow,
        _extractor.Spec.LayerNames,
        _extractor.Precision);

    /// <summary>
    /// Featurizes every image of <paramref name="source"/> that <paramref name="isCached"/> does not
    /// claim into <paramref name="sinks"/>, counting into <paramref name="counters"/>; a source that
    /// cannot say its size is counted beside the run for the progress total. Stops as
    /// <see cref="FeaturizationGraph.RunAsync"/> does on <paramref name="stopToken"/> and
    /// <paramref name="abandonToken"/>. With <paramref name="maxBatchDelay"/> (a stream) a batch that
    /// is not full goes to inference that long after its first image, and the source is not counted:
    /// it never ends, and a second pass over it would be a second reader of its arrivals.
    /// </summary>
    public async Task RunAsync(
        ILabelledImageSource source,
        Func<LabelledImage, bool> isCached,
        IReadOnlyList<IFeaturizationSink> sinks,
        FeaturizationCounters counters,
        CancellationToken stopToken,
        CancellationToken abandonToken,
        TimeSpan? maxBatchDelay = null)
    {
        if (source.Duplicates > 0)
        {
            _logger.LogWarning("{Source} repeats {Duplicates} entries (an image already listed, with the same label); each image is featurized once", source.Description, source.Duplicates);
        }

        var graph = new FeaturizationGraph(_decoder, _preprocessor, _extractor, sinks, counters, _parallelism, maxBatchDelay);
        counters.Total = source.Count;
        using var stopCounting = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
        var counting = counters.Total is null && maxBatchDelay is null ? CountInBackgroundAsync(source, counters, _logger, stopCounting.Token) : Task.CompletedTask;
        try
        {
            await graph.RunAsync(source.ReadAsync(stopToken), isCached, stopToken, abandonToken).ConfigureAwait(false);
        }
        finally
        {
            await stopCounting.CancelAsync().ConfigureAwait(false);
            await counting.ConfigureAwait(false);
        }
    }

    public void Dispose() => _extractor.Dispose();

    /// <summary>
    /// Counts a source that cannot say its size up front (a folder tree) by listing it once more
    /// beside the run, so the progress bar gains a total and an ETA without delaying the first
    /// image; listing is cheap next to decoding and inference. Only the total depends on this pass,
    /// so its failure leaves the total unknown instead of failing the run (the run's own pass
    /// reports a source that really cannot be read).
    /// </summary>
    private static async Task CountInBackgroundAsync(ILabelledImageSource source, FeaturizationCounters counters, ILogger logger, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            long count = 0;
            await foreach (var _ in source.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                count++;
            }

            counters.Total = count;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogDebug(e, "Counting {Source} for the progress total failed: {Reason}", source.Description, e.Message);
        }
    }
}
