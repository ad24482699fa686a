using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace MlNetBaseline;

/// <summary>
/// <c>make-gray-224</c>: copies N images of a folder-per-class tree as 224×224 8-bit grayscale
/// PNGs, keeping the <c>&lt;class&gt;/&lt;name&gt;.png</c> layout. Both featurizers then receive
/// images that need no resize, so a feature difference cannot come from two resamplers (ML.NET's
/// ResizeImages samples nearest-neighbour through SkiaSharp; ours uses ImageSharp), and the
/// product can read the same tree as a labelled source.
/// </summary>
internal static class GrayImageSetWriter
{
    public const int Side = 224;

    public static async Task<int> RunAsync(CommandLineArguments args, CancellationToken ct)
    {
        var source = args.GetString("source");
        var output = args.GetString("output");
        var count = args.GetInt("count", 1, int.MaxValue);
        args.ThrowIfUnused();
        if (!Directory.Exists(source))
        {
            throw new DirectoryNotFoundException($"Source folder '{source}' does not exist.");
        }

        var chosen = PickRoundRobin(source, count);
        var encoder = new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 };
        foreach (var (className, file) in chosen)
        {
            using var image = await Image.LoadAsync<L8>(file, ct);
            // Bilinear (ImageSharp's Triangle) is the usual upscaling for a 28→224 digit;
            // the choice only has to be the same for both featurizers, and it is: they read this file.
            image.Mutate(x => x.Resize(Side, Side, KnownResamplers.Triangle));
            var dir = Path.Combine(output, className);
            Directory.CreateDirectory(dir);
            await image.SaveAsPngAsync(Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".png"), encoder, ct);
        }
        Console.WriteLine($"wrote {chosen.Count} gray {Side}x{Side} PNGs to {output}");
        return 0;
    }

    /// <summary>
    /// Takes files class by class in turn (classes and files in ordinal order), so that a small
    /// N such as 10 covers every digit instead of ten zeros.
    /// </summary>
    private static List<(string ClassName, string File)> PickRoundRobin(string source, int count)
    {
        var classes = Directory.GetDirectories(source).Order(StringComparer.Ordinal)
            .Select(d => (Name: Path.GetFileName(d), Files: Directory.GetFiles(d, "*.png").Order(StringComparer.Ordinal).ToArray()))
            .Where(c => c.Files.Length > 0)
            .ToArray();
        if (classes.Length == 0)
        {
            throw new InvalidDataException($"Source folder '{source}' has no class sub-folders with PNG files.");
        }

        var chosen = new List<(string, string)>(count);
        for (var i = 0; chosen.Count < count; i++)
        {
            var any = false;
            foreach (var (name, files) in classes)
            {
                if (i >= files.Length || chosen.Count == count)
                {
                    continue;
                }

                chosen.Add((name, files[i]));
                any = true;
            }
            if (!any)
            {
                break;
            }
        }
        return chosen;
    }
}
