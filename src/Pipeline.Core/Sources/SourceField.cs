namespace Pipeline.Sources;

/// <summary>
/// One key a source kind takes in a pipeline file, and what its value must be. Kinds declare their
/// keys instead of reading YAML, so the pipeline-file loader checks every kind's keys the same way
/// and reports each error with its position.
/// </summary>
/// <param name="Key">The YAML key, e.g. <c>path</c>.</param>
/// <param name="Kind">Whether the value names an existing folder or an existing file.</param>
internal sealed record SourceField(string Key, SourceFieldKind Kind)
{
    /// <summary>
    /// The extensions, with their dot, that the file's name must end with in any case; empty for any
    /// name. A kind whose reader is picked by the extension refuses another one when the file is
    /// loaded rather than when the run opens it.
    /// </summary>
    public IReadOnlyList<string> Extensions { get; init; } = [];

    /// <summary>What the message about a wrong extension calls the file, e.g. "manifest".</summary>
    public string Noun { get; init; } = "file";

    /// <summary>Whether <paramref name="path"/> ends with one of <see cref="Extensions"/> (always, when there are none).</summary>
    public bool HasExtension(string path)
    {
        var extension = Path.GetExtension(path);
        return Extensions.Count == 0 || Extensions.Any(e => extension.Equals(e, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Why <paramref name="text"/> cannot be this field's value whatever is on disk, or null.</summary>
    public string? TextError(string text) => HasExtension(text)
        ? null
        : $"{Noun} '{text}' is " + (Extensions.Count == 1
            ? $"not a {Extensions[0]} file"
            : $"neither {string.Join(" nor ", Extensions.Select(e => "a " + e))} file");
}
