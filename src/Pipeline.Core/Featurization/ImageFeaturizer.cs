using System.Globalization;
using Microsoft.Extensions.Logging;
using Pipeline.Decoding;
using Pipeline.FeatureStore;
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
    private readonly string _quantizedGraph;

    /// <summary>Loads <paramref name="model"/> into an inference session on the device <paramref name="options"/> ask for.</summary>
    /// <param name="decoder">Made by the caller, so that its limits are validated before the caller takes any lock or creates any folder.</param>
    /// <param name="model">The zoo model to featurize with.</param>
    /// <param name="options">Device, batch size and parallelism (the store options are the caller's).</param>
    /// <param name="logger">Where the session and the run report.</param>
    /// <param name="quantizedPath">With int8, the quantized featurizer (see <see cref="QuantizeAsync"/>).</param>
    /// <param name="quantizedGraph">With int8, its cache key, which the features' metadata records.</param>
    public ImageFeaturizer(ImageDecoder decoder, ResolvedModel model, FeaturizationOptions options, ILogger logger, string? quantizedPath = null, string quantizedGraph = "")
    {
        _quantizedGraph = quantizedGraph;
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
    /// The featurizer for <paramref name="source"/>: with int8, the quantized graph of
    /// <see cref="QuantizeAsync"/>.
    /// </summary>
    /// <exception cref="FileNotFoundException">The int8 graph <see cref="FeaturizationOptions.RecordedGraph"/> names is in no cache folder.</exception>
    /// <exception cref="InvalidDataException">int8, and none of the source's images decodes.</exception>
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

        var (key, path) = await QuantizeAsync(decoder, model, options, source, logger, cancellationToken).ConfigureAwait(false);
        return new ImageFeaturizer(decoder, model, options, logger, path, key);
    }

    /// <summary>
    /// The int8 graph of <paramref name="model"/>, as its cache key and file: the one
    /// <see cref="FeaturizationOptions.RecordedGraph"/> names, which the store being resumed or the
    /// classifier recorded, and which is never calibrated again (other first images would give another
    /// graph, whose features differ); else the one calibrated on <paramref name="source"/>'s first
    /// <see cref="FeaturizationOptions.CalibrationImages"/> decodable images, taken from the cache when
    /// the same file was calibrated on the same sample before (the key is the model's SHA-256, the
    /// scheme, the preprocessing and the path, size and modification time of each of the first
    /// images read, and of the later ones that replaced those that did not decode), else calibrated
    /// now and cached.
    /// </summary>
    /// <exception cref="FileNotFoundException">The recorded graph is in no cache folder.</exception>
    /// <exception cref="InvalidDataException">None of the source's images decodes.</exception>
    internal static async Task<(string Key, string Path)> QuantizeAsync(
        ImageDecoder decoder, ResolvedModel model, FeaturizationOptions options, ILabelledImageSource source, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(source);
        if (options.Stream is not null)
        {
            throw new ArgumentException(StreamRefusal, nameof(options));
        }

        var cache = QuantizedModelCache.For(model.OnnxPath, Environment.GetEnvironmentVariable);
        logger.LogInformation("int8: quantized graphs are cached in {Folder} ({Reason})", cache.WriteDirectory, cache.Reason);
        if (options.RecordedGraph is { } recorded)
        {
            var found = cache.Find(recorded.Key)
                ?? throw new FileNotFoundException(
                    $"{recorded.RecordedBy} was featurized with the int8 graph '{cache.FileName(recorded.Key)}', which is in none of {string.Join(", ", cache.Directories.Select(d => $"'{d}'"))}; copy that file into one of them, or {recorded.Remedy}.",
                    cache.FileName(recorded.Key));
            logger.LogInformation("int8: {Owner} was featurized with {Path}; featurizing with it again", recorded.RecordedBy, found);
            return (recorded.Key, found);
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
        string KeyOf(IEnumerable<string> identities) => Int8Calibrator.CacheKey(
            sha,
            TensorPreprocessor.Describe(model.Spec),

            // Every node read, in order: another set of layers, or the same in another order, is another graph.
            model.Spec.FeatureNodes,
            identities);

        // The key of a sample whose first images all decode: found, it was calibrated on exactly these images.
        var key = KeyOf(sample.Select(i => Identity(i, decoded: true)));
        if (cache.Find(key) is { } cached)
        {
            logger.LogInformation("int8: using {Path}, quantized before on the same first {Count} images", cached, sample.Count);
            return (key, cached);
        }

        // Images that do not decode are replaced by later ones, which the key must then name too: under
        // the first images' key alone, two sources alike in them but not after would share one key
        // for two graphs, and a store's recorded key would find the other one.
        var read = await ReadDecodableSampleAsync(decoder, model.Spec, options.CalibrationImages, source, cancellationToken).ConfigureAwait(false);
        var used = read.Where(r => r.Decoded).Select(r => r.Image).ToList();
        if (used.Count < read.Count)
        {
            key = KeyOf(read.Select(r => Identity(r.Image, r.Decoded)));
            if (cache.Find(key) is { } again)
            {
                logger.LogInformation("int8: using {Path}, quantized before on the same {Count} decodable images", again, used.Count);
                return (key, again);
            }
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var quantized = Calibrate(decoder, model, options, used, cancellationToken);
        var path = await cache.WriteAsync(key, quantized, cancellationToken).ConfigureAwait(false);
        logger.LogInformation(
            "int8: calibrated on {Used} images ({Skipped} that did not decode skipped) in {Seconds:F1} s (MinMax), cached as {Path}", used.Count, read.Count - used.Count, clock.Elapsed.TotalSeconds, path);
        return (key, path);
    }

    private static string Identity(LabelledImage image, bool decoded) =>
        string.Create(CultureInfo.InvariantCulture, $"{image.Path}\t{image.FileBytes}\t{image.FileModifiedUnixMs}{(decoded ? "" : "\tundecodable")}");

    /// <summary>Why a stream cannot featurize in int8.</summary>
    internal const string StreamRefusal = "--precision int8 calibrates on the source's first images, which a stream does not have up front; featurize a stream in fp32.";

    /// <summary>
    /// The source's images read until <paramref name="count"/> have decoded (or the source ends), each
    /// with whether it decoded: images that do not decode are skipped, not counted, so a sample that
    /// begins with broken files still fills.
    /// </summary>
    /// <exception cref="InvalidDataException">None of them decoded.</exception>
    private static async Task<List<(LabelledImage Image, bool Decoded)>> ReadDecodableSampleAsync(
        ImageDecoder decoder, ModelSpec spec, int count, ILabelledImageSource source, CancellationToken cancellationToken)
    {
        var read = new List<(LabelledImage, bool)>();
        var decoded = 0;
        await foreach (var image in source.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var outcome = decoder.Decode(image, spec.InputSize, spec.InputSize, spec.Resize);
            outcome.Image?.Dispose();
            read.Add((image, outcome.IsDecoded));
            if (outcome.IsDecoded && ++decoded == count)
            {
                break;
            }
        }

        return decoded > 0
            ? read
            : throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"int8 calibration needs decodable images, and none of the {read.Count} images of {source.Description} decoded; check the source, or featurize in fp32."));
    }

    /// <summary>Decodes and preprocesses <paramref name="sample"/> as the run will, and quantizes with the ranges it produced.</summary>
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
                // Changed since it was read; the ranges come from the others.
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

    /// <summary>With int8, the cache key of the quantized graph featurizing; empty for fp32.</summary>
    public string QuantizedGraph => _quantizedGraph;

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
        _extractor.Precision,
        _quantizedGraph);

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
