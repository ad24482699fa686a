namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// A small labelled folder copied from the bundled <c>samples/digits</c>: the first classes and, in
/// each, the first images by name, so every run of a test sees the same files.
/// </summary>
internal static class DigitsSubset
{
    /// <summary>
    /// A pipeline over a subset in <c>digits/</c> for the tests that stop a run mid-featurization: 8 rows per
    /// part and batches of 4 close a part every other batch, so a stop finds complete parts behind it and
    /// images still ahead of it; no part is ever closed early by its timer.
    /// </summary>
    public const string SmallPartsPipeline = """
        name: digits
        source: { kind: folder, path: digits }
        model: { name: resnet18 }
        featurize: { device: cpu, batchSize: 4, parallelism: 1, rowsPerPart: 8, partSeconds: 3600 }
        train: { maxIter: 5 }
        output: digits
        """;

    /// <summary>
    /// A pipeline for the tests whose stop must outlast a short grace period: batches of 16 take a while
    /// to infer on the CPU, and 24 rows per part leave 8 rows of the second batch in the open part when the
    /// first part is closed, so a stop then has rows in an open part and whole batches still in flight.
    /// </summary>
    public const string SlowDrainPipeline = """
        name: digits
        source: { kind: folder, path: digits }
        model: { name: resnet18 }
        featurize: { device: cpu, batchSize: 16, parallelism: 1, rowsPerPart: 24, partSeconds: 3600 }
        train: { maxIter: 5 }
        output: digits
        """;

    /// <summary>Copies <paramref name="perClass"/> images of each of the first <paramref name="classes"/> digits into <paramref name="directory"/>; returns how many.</summary>
    public static int CopyTo(string directory, int classes, int perClass)
    {
        var samples = System.IO.Path.Combine(RepositoryRoot.Path, "samples", "digits");
        var copied = 0;
        foreach (var classFolder in Directory.GetDirectories(samples).Order(StringComparer.Ordinal).Take(classes))
        {
            var target = Directory.CreateDirectory(System.IO.Path.Combine(directory, System.IO.Path.GetFileName(classFolder)));
            var images = Directory.GetFiles(classFolder, "*.png").Order(StringComparer.Ordinal).Take(perClass).ToArray();
            if (images.Length < perClass)
            {
                throw new InvalidOperationException($"{classFolder} holds {images.Length} images, the test needs {perClass}");
            }

            foreach (var image in images)
            {
                File.Copy(image, System.IO.Path.Combine(target.FullName, System.IO.Path.GetFileName(image)));
                copied++;
            }
        }

        return copied;
    }
}
