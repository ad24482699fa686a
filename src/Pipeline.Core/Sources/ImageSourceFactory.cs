using Pipeline.IO;

namespace Pipeline.Sources;

/// <summary>Opens the source an input string names.</summary>
public static class ImageSourceFactory
{
    /// <summary>The prefix of an IDX pair: <c>idx:IMAGES,LABELS</c>.</summary>
    public const string IdxPrefix = "idx:";

    /// <summary>
    /// Opens <paramref name="input"/>: an existing folder (<c>root/&lt;label&gt;/**/&lt;image&gt;</c>),
    /// a <c>.csv</c> or <c>.parquet</c> manifest, or <c>idx:IMAGES,LABELS</c>. Opening reads what
    /// the class list needs (folder names, a pass over the manifest, the IDX labels file).
    /// </summary>
    /// <exception cref="SourceException">The input is missing, of no known kind, malformed or holds no images.</exception>
    public static async Task<ILabelledImageSource> OpenAsync(string input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Trim().Length == 0)
        {
            throw new SourceException("No input given: expected a folder, a .csv or .parquet manifest, or idx:IMAGES,LABELS.");
        }

        if (input.StartsWith(IdxPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var files = input[IdxPrefix.Length..].Split(',', StringSplitOptions.TrimEntries);
            if (files.Length != 2 || files[0].Length == 0 || files[1].Length == 0)
            {
                throw new SourceException($"IDX input '{input}' must name two files: idx:IMAGES,LABELS.");
            }

            foreach (var file in files)
            {
                if (!File.Exists(file))
                {
                    throw new SourceException($"IDX file '{Path.GetFullPath(file)}' does not exist.");
                }

                EnsureRegularFile(file, "IDX file");
            }

            return await IdxImageSource.OpenAsync(files[0], files[1], cancellationToken).ConfigureAwait(false);
        }

        if (Directory.Exists(input))
        {
            return new FolderImageSource(input);
        }

        var extension = Path.GetExtension(input);
        if (extension.Equals(".csv", StringComparison.OrdinalIgnoreCase) || extension.Equals(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            EnsureRegularFile(input, "Manifest");
            return await ManifestImageSource.OpenAsync(input, cancellationToken).ConfigureAwait(false);
        }

        throw File.Exists(input)
            ? new SourceException($"Input '{Path.GetFullPath(input)}' is neither a folder, a .csv or .parquet manifest, nor idx:IMAGES,LABELS.")
            : new SourceException($"Input '{Path.GetFullPath(input)}' does not exist.");
    }

    /// <summary>Reading a FIFO waits for a writer and a device may never end, so neither is opened.</summary>
    private static void EnsureRegularFile(string path, string what)
    {
        if (FileKind.DescribeIfNotRegular(path) is { } kind)
        {
            throw new SourceException($"{what} '{Path.GetFullPath(path)}' is not a regular file ({kind}).");
        }
    }
}
