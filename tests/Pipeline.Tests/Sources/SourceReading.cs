namespace Pipeline.Tests.Sources;

internal static class SourceReading
{
    public static async Task<List<Pipeline.Sources.LabelledImage>> ReadAllAsync(this Pipeline.Sources.ILabelledImageSource source)
    {
        var images = new List<Pipeline.Sources.LabelledImage>();
        await foreach (var image in source.ReadAsync())
        {
            images.Add(image);
        }

        return images;
    }
}
