namespace Pipeline.Sources;

/// <summary>
/// A watched folder laid out like a folder source, <c>root/&lt;label&gt;/**/&lt;image&gt;</c>, whose
/// images are taken as they land, until the run stops (YAML <c>kind: watch</c>).
/// </summary>
/// <param name="Path">The watched folder; absolute when it comes from a pipeline file.</param>
public sealed record WatchSourceDefinition(string Path) : SourceDefinition;
