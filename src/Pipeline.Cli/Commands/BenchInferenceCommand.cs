using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Pipeline.Settings;
using Pipeline.Decoding;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Preprocessing;
using Pipeline.Sources;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Pipeline.Cli.Commands;

/// <summary>
/// <c>pipeline bench-inference</c>: the throughput ceiling of featurization, ONNX Runtime alone on
/// batches that are already preprocessed, with the same extractor and options as <c>featurize</c>.
/// The gap between this and <c>featurize</c>'s img/s is what reading, decoding, resizing,
/// packing and writing cost.
/// </summary>
internal static class BenchInferenceCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var modelsDir = CommonOptions.ModelsDirectory();
        var device = CommonOptions.Device();
        var batchSize = CommonOptions.BatchSize();
        var images = new Option<int>("--images") { Description = "Images to run after one warm-up batch (rounded up to whole batches).", DefaultValueFactory = _ => 1000 }
            .InRange(new NumberRange(1, int.MaxValue));
        var image = new Option<string?>("--image")
        {
            Description = "Image decoded and preprocessed once, then copied into every slot (default: a synthetic colour gradient; "
                + "convolution cost does not depend on pixel values).",
        }.NotEmpty();

        var precision = SettingOptions.Choice<FeaturePrecision>(SettingCatalog.Featurize.Precision);
        var threads = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads, a pool the runs share (0: one thread per core in all; one run: one per physical core).", DefaultValueFactory = _ => 0 }
            .InRange(new NumberRange(0, 1024));
        var runs = new Option<int>("--runs")
        {
            Description = "Runs at once, each on a batch of its own (default 1, the ceiling featurize is compared with; featurize itself runs 2 at once on the CPU).",
            DefaultValueFactory = _ => 1,
        }.InRange(new NumberRange(1, 64));

        var command = new Command("bench-inference", "Measure ONNX Runtime alone on pre-made tensors: the ceiling for featurize's img/s.")
        {
            model, device, batchSize, precision, threads, runs, images, image, modelsDir,
        };
        // On a thread of its own, so that the action's task exists while it runs: System.CommandLine
        // waits for that task after SIGINT/SIGTERM cancel the token, and kills a synchronous action (143).
        command.SetAction((parse, cancellationToken) => Task.Run(() =>
        {
            var count = parse.GetValue(images);
            var resolved = ModelZoo.LoadDefault().Resolve(parse.GetValue(model)!, parse.GetValue(modelsDir)!);
            using var logging = ConsoleLogging.Create();
            var options = new InferenceOptions { Device = parse.GetValue(device), BatchSize = parse.GetValue(batchSize), Precision = parse.GetValue(precision), IntraOpThreads = parse.GetValue(threads), ConcurrentRuns = parse.GetValue(runs) };
            var preprocessor = new TensorPreprocessor(resolved.Spec, resolved.MeanImagePath);
            var tensor = new float[resolved.Spec.ImageLength];
            using (var pixels = LoadPixels(parse.GetValue(image), resolved.Spec))
            {
                preprocessor.Write(pixels, tensor);
            }

            // int8's speed does not depend on its ranges, so the one image calibrates it, uncached.
            var quantized = options.Precision == FeaturePrecision.Int8 ? Quantize(resolved, tensor) : null;
            using var extractor = new FeatureExtractor(resolved.Spec, resolved.OnnxPath, options, logging.CreateLogger("bench-inference"), quantized);
            if (quantized is not null)
            {
                File.Delete(quantized);
            }

            var batches = Enumerable.Range(0, extractor.ConcurrentRuns).Select(_ => Filled(extractor.CreateBatch(), tensor)).ToArray();
            var capacity = batches[0].Capacity;

            // The first Run of each allocates its share of ORT's arena and picks kernels; it is not part of the steady state.
            RunEach(batches, batch => extractor.Run(batch, cancellationToken));
            var perRun = (count + (capacity * batches.Length) - 1) / (capacity * batches.Length);
            var clock = Stopwatch.StartNew();
            RunEach(batches, batch =>
            {
                for (var b = 0; b < perRun; b++)
                {
                    extractor.Run(batch, cancellationToken);
                }
            });

            clock.Stop();
            var total = perRun * capacity * batches.Length;
            var culture = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(culture, $"model: {resolved.Spec.Name}  device: {extractor.ExecutionProvider}  batch: {capacity}  runs: {batches.Length}  images: {total}  seconds: {clock.Elapsed.TotalSeconds:F1}  precision: {options.Precision}  threads: {extractor.IntraOpThreads}"));
            Console.WriteLine(string.Create(culture, $"images/s: {total / clock.Elapsed.TotalSeconds:F1}"));
            return 0;
        }, CancellationToken.None));
        return command;
    }

    /// <summary>
    /// <paramref name="run"/> on every batch at once, each on a thread of its own; a cancellation
    /// (Ctrl+C) surfaces as itself, not wrapped, so the command exits as a stop.
    /// </summary>
    private static void RunEach(InferenceBatch[] batches, Action<InferenceBatch> run)
    {
        try
        {
            Parallel.ForEach(batches, new ParallelOptions { MaxDegreeOfParallelism = batches.Length }, run);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(inner => inner is OperationCanceledException))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>Every slot of <paramref name="batch"/> holds <paramref name="tensor"/>.</summary>
    private static InferenceBatch Filled(InferenceBatch batch, float[] tensor)
    {
        for (var i = 0; i < batch.Capacity; i++)
        {
            tensor.CopyTo(batch.Slot(i));
        }

        batch.Count = batch.Capacity;
        return batch;
    }

    private static string Quantize(ResolvedModel model, float[] tensor)
    {
        using var calibrator = new Int8Calibrator(model.Spec, model.OnnxPath, batchSize: 1, intraOpThreads: 0);
        tensor.CopyTo(calibrator.Slot(0));
        calibrator.Observe(1);
        var path = Path.Combine(Path.GetTempPath(), $"pipeline-bench-int8-{Environment.ProcessId}.onnx");
        File.WriteAllBytes(path, calibrator.Quantize());
        return path;
    }

    private static Image<Rgb24> LoadPixels(string? path, ModelSpec spec)
    {
        var size = spec.InputSize;
        if (path is null)
        {
            var gradient = new Image<Rgb24>(size, size);
            for (var y = 0; y < size; y++)
            {
                for (var x = 0; x < size; x++)
                {
                    gradient[x, y] = new Rgb24((byte)(x * 255 / size), (byte)(y * 255 / size), 128);
                }
            }

            return gradient;
        }

        var outcome = new ImageDecoder().Decode(new LabelledImage(0, Path.GetFullPath(path), string.Empty, 0), size, size, spec.Resize);
        return outcome.IsDecoded
            ? outcome.Image.Pixels
            : throw new InvalidOperationException($"--image '{outcome.Reject.Path}' cannot be used: {outcome.Reject.Reason}");
    }
}
