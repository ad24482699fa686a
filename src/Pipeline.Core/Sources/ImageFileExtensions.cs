namespace Pipeline.Sources;

/// <summary>The file extensions a folder source treats as images: the formats the decoder reads.</summary>
internal static class ImageFileExtensions
{
    private static readonly HashSet<string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp",
    };

    public static bool IsImage(string fileName) => Known.Contains(Path.GetExtension(fileName));
}
