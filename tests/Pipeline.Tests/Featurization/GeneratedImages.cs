using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace Pipeline.Tests.Featurization;

/// <summary>
/// Small distinct PNGs for end-to-end runs: every seed gives its own pattern and size, so rows
/// cannot be confused with one another and the resize to the model's input always runs.
/// </summary>
internal static class GeneratedImages
{
    public static byte[] Png(int seed)
    {
        var random = new Random(seed);
        var (width, height) = SizeOf(seed);
        using var image = new Image<Rgb24>(width, height);
        var tint = new Rgb24((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image[x, y] = ((x + seed) / 4 + y / 4) % 2 == 0
                    ? tint
                    : new Rgb24((byte)(x * 9), (byte)(y * 11), (byte)random.Next(256));
            }
        }

        using var stream = new MemoryStream();
        image.Save(stream, new PngEncoder());
        return stream.ToArray();
    }

    /// <summary>The (width, height) that <see cref="Png"/> gives for <paramref name="seed"/>.</summary>
    public static (int Width, int Height) SizeOf(int seed) => (24 + (seed % 5), 20 + (seed % 7));

    /// <summary>
    /// Writes <paramref name="count"/> images round-robin into the class folders <paramref name="labels"/>
    /// under <paramref name="root"/> and returns each file's full path with its label.
    /// </summary>
    public static Dictionary<string, string> WriteFolder(string root, int count, params string[] labels)
    {
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var label = labels[i % labels.Length];
            var path = Path.Combine(root, label, $"img-{i:D3}.png");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, Png(i));
            written.Add(path, label);
        }

        return written;
    }
}
