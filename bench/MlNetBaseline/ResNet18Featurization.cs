using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MlNetBaseline;

/// <summary>
/// <c>featurize</c>: ML.NET's standard ResNet18 featurizer (the DnnFeaturizeImage sample in
/// dotnet/machinelearning <c>docs/samples/.../ImageAnalytics/DnnFeaturizeImage.cs</c>):
/// LoadImages → ResizeImages(224,224) → ExtractPixels → DnnFeaturizeImage(ResNet18).
/// </summary>
/// <remarks>
/// ExtractPixels keeps its defaults, as in the sample: RGB planes (interleave false), scale 1,
/// offset 0, i.e. float 0–255 in CHW R,G,B order. That is what <c>ResNetPreprocess.onnx</c>
/// expects on <c>OriginalInput</c>: it reorders to B,G,R and subtracts its mean image itself.
/// A grayscale PNG is expanded by SkiaSharp to BGRA with R=G=B, so all three planes are equal.
/// </remarks>
internal static class ResNet18Featurization
{
    private const int Dimension = 512;
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg"];

    private sealed class ImageInput
    {
        public string ImagePath { get; set; } = "";
    }

    public static async Task<int> RunAsync(CommandLineArguments args, CancellationToken ct)
    {
        var folder = Path.GetFullPath(args.GetString("images"));
        var output = args.GetString("output");
        var gpuDevice = args.Has("gpu-device") ? args.GetInt("gpu-device", 0, 64) : (int?)null;
        args.ThrowIfUnused();
        if (!Directory.Exists(folder))
        {
            throw new DirectoryNotFoundException($"Image folder '{folder}' does not exist.");
        }

        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Select(f => Path.GetRelativePath(folder, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (files.Length == 0)
        {
            throw new InvalidDataException($"Image folder '{folder}' holds no .png/.jpg/.jpeg files.");
        }

        // GpuDeviceId is read by OnnxScoringEstimator when its own options leave it unset
        // (OnnxTransform.cs); no fallback, so a missing CUDA stack fails instead of silently timing the CPU.
        var ml = new MLContext(seed: 0) { GpuDeviceId = gpuDevice, FallbackToCpu = false };
        var input = ml.Data.LoadFromEnumerable(files.Select(f => new ImageInput { ImagePath = f }));
        var pipeline = ml.Transforms.LoadImages("ImageObject", folder, nameof(ImageInput.ImagePath))
            .Append(ml.Transforms.ResizeImages("ImageObject", imageWidth: 224, imageHeight: 224))
            .Append(ml.Transforms.ExtractPixels("Pixels", "ImageObject"))
            .Append(ml.Transforms.DnnFeaturizeImage("Features",
                m => m.ModelSelector.ResNet18(ml, m.OutputColumn, m.InputColumn), "Pixels"));

        var clock = Stopwatch.StartNew();
        var model = pipeline.Fit(input);
        var fitSeconds = clock.Elapsed.TotalSeconds;

        // Transform is lazy: the images are decoded and scored while the cursor moves, so this
        // loop is the featurization time. Features are kept in memory and written afterwards.
        clock.Restart();
        var transformed = model.Transform(input);
        var features = new float[files.Length][];
        var paths = new string[files.Length];
        using (var cursor = transformed.GetRowCursor(transformed.Schema.Where(c => c.Name is "ImagePath" or "Features")))
        {
            var pathGetter = cursor.GetGetter<ReadOnlyMemory<char>>(transformed.Schema["ImagePath"]);
            var featureGetter = cursor.GetGetter<VBuffer<float>>(transformed.Schema["Features"]);
            ReadOnlyMemory<char> path = default;
            VBuffer<float> vector = default;
            var row = 0;
            while (cursor.MoveNext())
            {
                ct.ThrowIfCancellationRequested();
                pathGetter(ref path);
                featureGetter(ref vector);
                if (vector.Length != Dimension)
                {
                    throw new InvalidDataException($"ResNet18 gave {vector.Length} features for '{path}', expected {Dimension}.");
                }

                paths[row] = path.ToString();
                features[row] = vector.DenseValues().ToArray();
                row++;
            }
        }
        var featurizeSeconds = clock.Elapsed.TotalSeconds;

        await WriteCsvAsync(output, paths, features, ct);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            images = files.Length,
            fitSeconds,
            featurizeSeconds,
            imagesPerSecond = files.Length / featurizeSeconds,
            device = gpuDevice is null ? "cpu" : $"cuda:{gpuDevice}",
            output,
        }));
        return 0;
    }

    private static async Task WriteCsvAsync(string output, string[] paths, float[][] features, CancellationToken ct)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(output));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        await using var writer = new StreamWriter(output, append: false, new UTF8Encoding(false));
        var line = new StringBuilder();
        line.Append("file");
        for (var j = 0; j < Dimension; j++)
        {
            line.Append(",f").Append(j.ToString(CultureInfo.InvariantCulture));
        }

        await writer.WriteLineAsync(line, ct);
        for (var i = 0; i < paths.Length; i++)
        {
            line.Clear().Append(Quote(paths[i]));
            foreach (var v in features[i])
            {
                line.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
            }

            await writer.WriteLineAsync(line, ct);
        }
    }

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
}
