namespace Pipeline.Sources;

/// <summary>
/// Opens labelled image sources: a typed <see cref="SourceDefinition"/>, or a command line's
/// <c>--input</c> text, parsed into one first.
/// </summary>
public static class ImageSourceFactory
{
    /// <summary>The prefix of an IDX pair on the command line: <c>idx:IMAGES,LABELS</c>.</summary>
    public const string IdxPrefix = IdxSourceKind.Prefix;

    /// <summary>
    /// The source a command-line input names: an existing folder (<c>root/&lt;label&gt;/**/&lt;image&gt;</c>),
    /// a <c>.csv</c> or <c>.parquet</c> manifest, or <c>idx:IMAGES,LABELS</c>. A kind's prefix names it
    /// outright, so it is tried before what the path is.
    /// </summary>
    /// <exception cref="SourceException">The input is blank, missing, of no known kind, or a malformed IDX pair.</exception>
    public static SourceDefinition Parse(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var forms = SourceKinds.All.Select(k => k.InputForm).OfType<string>().ToArray();
        if (input.Trim().Length == 0)
        {
            throw new SourceException($"No input given: expected {List(forms, "or")}.");
        }

        foreach (var kind in SourceKinds.All.OrderBy(k => k.InputPrefix is null))
        {
            if (kind.ParseInput(input) is { } definition)
            {
                return definition;
            }
        }

        throw File.Exists(input)
            ? new SourceException($"Input '{Path.GetFullPath(input)}' is neither {List(forms, "nor")}.")
            : new SourceException($"Input '{Path.GetFullPath(input)}' does not exist.");
    }

    /// <summary>
    /// Opens <paramref name="definition"/>, reading what the class list needs (folder names, a pass
    /// over the manifest, the IDX labels file).
    /// </summary>
    /// <exception cref="SourceException">What it names is missing, not a regular file, malformed or holds no images.</exception>
    public static async Task<ILabelledImageSource> OpenAsync(SourceDefinition definition, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return await OpenAsync(definition, SourceOpening.Default, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="OpenAsync(SourceDefinition, CancellationToken)"/> with a run's log and settings for reading the source.</summary>
    internal static Task<ILabelledImageSource> OpenAsync(SourceDefinition definition, SourceOpening opening, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return SourceKinds.Of(definition).OpenAsync(definition, opening, cancellationToken);
    }

    /// <summary>Opens what a command-line input names: <see cref="Parse"/>, then <see cref="OpenAsync(SourceDefinition, CancellationToken)"/>.</summary>
    /// <exception cref="SourceException">The input does not parse, or what it names cannot be opened.</exception>
    public static async Task<ILabelledImageSource> OpenAsync(string input, CancellationToken cancellationToken = default) =>
        await OpenAsync(Parse(input), cancellationToken).ConfigureAwait(false);

    /// <summary>"a, b, or c": the input forms as a message lists them.</summary>
    private static string List(string[] items, string conjunction) =>
        items.Length == 1 ? items[0] : $"{string.Join(", ", items[..^1])}, {conjunction} {items[^1]}";
}
