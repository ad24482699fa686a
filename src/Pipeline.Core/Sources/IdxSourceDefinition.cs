namespace Pipeline.Sources;

/// <summary>A pair of MNIST-style IDX files, gzip or raw (YAML <c>kind: idx</c>).</summary>
/// <param name="Images">The image file.</param>
/// <param name="Labels">The label file. Two paths rather than <c>idx:IMAGES,LABELS</c>, so a comma in either is only a character.</param>
public sealed record IdxSourceDefinition(string Images, string Labels) : SourceDefinition;
