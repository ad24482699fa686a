namespace Pipeline.Sources;

/// <summary>The manifest columns a source needs; any others are ignored.</summary>
internal static class ManifestColumns
{
    public const string Path = "path";
    public const string Label = "label";

    /// <summary>Header names match ignoring case and surrounding spaces, so <c>Path</c> and <c> label</c> work.</summary>
    public static bool Matches(string header, string column) =>
        string.Equals(header.Trim(), column, StringComparison.OrdinalIgnoreCase);
}
