using Pipeline.Sources;

namespace Pipeline.Prediction;

/// <summary>Turns what <c>pipeline predict --input</c> names into an image source.</summary>
internal static class PredictionInput
{
    /// <summary>
    /// One input: a folder holding image files at its top level is a folder of unlabelled images
    /// (subfolders ignored); any other folder is a folder per class; a <c>.csv</c>/<c>.parquet</c>
    /// manifest or <c>idx:IMAGES,LABELS</c> as for featurizing. Several inputs, or one image file:
    /// those image files, unlabelled.
    /// </summary>
    /// <exception cref="SourceException">The input is missing or of no known kind.</exception>
    public static async Task<ILabelledImageSource> OpenAsync(IReadOnlyList<string> inputs, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0)
        {
            throw new SourceException("No input given: expected a folder, a manifest, idx:IMAGES,LABELS or image files.");
        }

        if (inputs.Count == 1 && !ImageFileExtensions.IsImage(inputs[0]))
        {
            var input = inputs[0];
            if (Directory.Exists(input) && ImageFilesSource.HasImagesAtTopLevel(input))
            {
                return ImageFilesSource.FromFolder(input);
            }

            var definition = ImageSourceFactory.Parse(input);
            return await ImageSourceFactory.OpenAsync(definition, cancellationToken).ConfigureAwait(false);
        }

        var notImages = inputs.Where(i => !ImageFileExtensions.IsImage(i)).ToArray();
        if (notImages.Length > 0)
        {
            throw new SourceException(
                $"Input '{notImages[0]}' is not an image file; give one folder, manifest or idx:IMAGES,LABELS, or any number of image files.");
        }

        return new ImageFilesSource(inputs, $"{inputs.Count} image files");
    }
}
