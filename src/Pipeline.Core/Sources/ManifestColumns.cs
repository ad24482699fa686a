namespace Pipeline.Sources;

/// <summary>The manifest columns a source needs; any others are ignored.</summary>
internal static class ManifestColumns
{
    public const string Path = "path";
    public const string Label = "label";

    /// <summary>
    /// Why <paramref name="value"/> cannot be a path column's value, or null when it can. A NUL is
    /// the one character no file path may hold; caught here, the error names the manifest's line
    /// instead of surfacing from <see cref="System.IO.Path.GetFullPath(string)"/> mid-run.
    /// </summary>
    public static string? PathProblem(string value) =>
        value.Contains('\0', StringComparison.Ordinal) ? "holds a NUL character, which no file path may contain" : null;

    /// <summary>Header names match ignoring case and surrounding spaces, so <c>Path</c> and <c> label</c> work.</summary>
    public static bool Matches(string header, string column) =>
        string.Equals(header.Trim(), column, StringComparison.OrdinalIgnoreCase);
}
