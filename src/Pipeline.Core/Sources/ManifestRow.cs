namespace Pipeline.Sources;

/// <summary>One validated manifest entry, before its path is resolved.</summary>
internal readonly record struct ManifestRow(string Path, string Label);
