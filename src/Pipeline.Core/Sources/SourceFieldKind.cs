namespace Pipeline.Sources;

/// <summary>What the value of a <see cref="SourceField"/> must name on disk when a pipeline file is loaded.</summary>
internal enum SourceFieldKind
{
    /// <summary>An existing folder.</summary>
    Folder,

    /// <summary>An existing file.</summary>
    File,
}
