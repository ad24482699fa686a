namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// Bundled digits staged beside a watched folder, on its filesystem, and landed as writers must:
/// one atomic rename into the label folder each.
/// </summary>
internal static class StagedImages
{
    /// <summary>Copies the first images of the first classes of the bundled digits into <paramref name="staging"/>, and makes their label folders in <paramref name="landing"/>.</summary>
    public static StagedImage[] Stage(string staging, string landing, int classes, int perClass)
    {
        DigitsSubset.CopyTo(staging, classes, perClass);
        foreach (var label in Directory.GetDirectories(staging))
        {
            Directory.CreateDirectory(Path.Combine(landing, Path.GetFileName(label)));
        }

        return [.. Directory.GetFiles(staging, "*.png", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(path =>
            {
                var label = Path.GetFileName(Path.GetDirectoryName(path)!);
                return new StagedImage(path, Path.Combine(landing, label, Path.GetFileName(path)), label);
            })];
    }

    public static void Land(StagedImage image) => File.Move(image.Source, image.Landed);
}

/// <summary>An image in the staging folder and where landing puts it.</summary>
internal sealed record StagedImage(string Source, string Landed, string Label);
