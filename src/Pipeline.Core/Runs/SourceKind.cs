namespace Pipeline.Runs;

/// <summary>How a pipeline's labelled images are found on disk (YAML <c>source.kind</c>).</summary>
public enum SourceKind
{
    /// <summary>A folder with one sub-folder per class (<c>path</c>).</summary>
    Folder,

    /// <summary>A CSV manifest of <c>path,label</c> rows (<c>path</c>).</summary>
    Manifest,

    /// <summary>A pair of (optionally gzipped) IDX files (<c>images</c> and <c>labels</c>).</summary>
    Idx,
}
