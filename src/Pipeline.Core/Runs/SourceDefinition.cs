namespace Pipeline.Runs;

/// <summary>
/// Where a run's images come from (YAML <c>source</c> or <c>testSource</c>). Paths are absolute once
/// loaded: relative paths in the file are resolved against <see cref="RunDefaults.BaseDirectory"/>.
/// </summary>
/// <param name="Kind">folder, manifest or idx.</param>
/// <param name="Path">The class folder (folder) or the CSV file (manifest); null for idx.</param>
/// <param name="Images">The IDX image file (idx only).</param>
/// <param name="Labels">The IDX label file (idx only).</param>
public sealed record SourceDefinition(SourceKind Kind, string? Path, string? Images = null, string? Labels = null);
