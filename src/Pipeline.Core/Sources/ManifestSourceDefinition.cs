namespace Pipeline.Sources;

/// <summary>A CSV or Parquet manifest of <c>path,label</c> rows (YAML <c>kind: manifest</c>).</summary>
/// <param name="Path">The manifest; its extension, <c>.csv</c> or <c>.parquet</c>, picks the reader.</param>
public sealed record ManifestSourceDefinition(string Path) : SourceDefinition;
