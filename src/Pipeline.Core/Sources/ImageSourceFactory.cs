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
            var (images, labels) = SplitIdxPair(input);
            return await OpenIdxAsync(images, labels, cancellationToken).ConfigureAwait(false);
        }

        if (Directory.Exists(input))
        {
            return new FolderImageSource(input);
        }

        if (IsManifest(input))
        {
            EnsureRegularFile(input, "Manifest");
            return await ManifestImageSource.OpenAsync(input, cancellationToken).ConfigureAwait(false);
        }

        throw File.Exists(input)
            ? new SourceException($"Input '{Path.GetFullPath(input)}' is neither a folder, a .csv or .parquet manifest, nor idx:IMAGES,LABELS.")
            : new SourceException($"Input '{Path.GetFullPath(input)}' does not exist.");
    }

    /// <summary>Whether <paramref name="path"/> names a manifest by its extension: <c>.csv</c> or <c>.parquet</c>, in any case.</summary>
    public static bool IsManifest(string path)
    {
        var extension = Path.GetExtension(path);
        return extension.Equals(".csv", StringComparison.OrdinalIgnoreCase) || extension.Equals(".parquet", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Opens an IDX pair named as two paths, as pipeline files give it: unlike <c>idx:IMAGES,LABELS</c>,
    /// a comma in either path needs no thought.
    /// </summary>
    /// <exception cref="SourceException">A file is missing or malformed, or the pair holds no images.</exception>
    public static async Task<ILabelledImageSource> OpenIdxAsync(string imagesFile, string labelsFile, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesFile);
        ArgumentException.ThrowIfNullOrEmpty(labelsFile);
        foreach (var file in (string[])[imagesFile, labelsFile])
        {
            if (!File.Exists(file))
            {
                throw new SourceException($"IDX file '{Path.GetFullPath(file)}' does not exist.");
            }

            EnsureRegularFile(file, "IDX file");
        }

        return await IdxImageSource.OpenAsync(imagesFile, labelsFile, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The two paths of <c>idx:IMAGES,LABELS</c>. With one comma it splits there; when a path holds
    /// commas too, the one split whose both sides are existing files is taken, and none or several
    /// such splits are an error rather than a guess.
    /// </summary>
    private static (string Images, string Labels) SplitIdxPair(string input)
    {
        var pair = input[IdxPrefix.Length..];
        var commas = Enumerable.Range(0, pair.Length).Where(i => pair[i] == ',').ToArray();
        var splits = commas.Select(i => (Images: pair[..i].Trim(), Labels: pair[(i + 1)..].Trim())).ToArray();
        if (splits.Length == 1 && splits[0].Images.Length > 0 && splits[0].Labels.Length > 0)
        {
            return splits[0];
        }

        if (splits.Length <= 1)
        {
            throw new SourceException($"IDX input '{input}' must name two files: idx:IMAGES,LABELS.");
        }

        var existing = splits.Where(s => File.Exists(s.Images) && File.Exists(s.Labels)).ToArray();
        return existing.Length switch
        {
            1 => existing[0],
            0 => throw new SourceException(
                $"IDX input '{input}' holds {commas.Length} commas, and no split at one of them names two existing files; "
                + "check the paths, or name the files separately in a pipeline file (source: {kind: idx, images: …, labels: …})."),
            _ => throw new SourceException(
                $"IDX input '{input}' is ambiguous: it splits into two existing files at {existing.Length} of its {commas.Length} commas "
                + $"('{existing[0].Images}' + '{existing[0].Labels}', '{existing[1].Images}' + '{existing[1].Labels}'); "
                + "name the files separately in a pipeline file (source: {kind: idx, images: …, labels: …})."),
        };
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
