namespace Pipeline.Sources;

/// <summary>One validated manifest entry, before its path is resolved.</summary>
/// <param name="Path">The path as written.</param>
/// <param name="Label">The class name.</param>
/// <param name="Line">Where messages say the entry is: the 1-based line of a CSV record, or the 1-based row of a Parquet manifest.</param>
internal readonly record struct ManifestRow(string Path, string Label, long Line);
