namespace Pipeline.Sources;

/// <summary>A folder with one sub-folder per class, <c>root/&lt;label&gt;/**/&lt;image&gt;</c> (YAML <c>kind: folder</c>).</summary>
/// <param name="Path">The root folder; absolute when it comes from a pipeline file.</param>
public sealed record FolderSourceDefinition(string Path) : SourceDefinition;
