namespace Pipeline.Sources;

/// <summary>
/// The one list of source kinds. The pipeline-file loader takes the kinds and their keys from it,
/// <c>resolved.yaml</c> writes each definition through its kind, the command line tries each kind on
/// an input, and a definition opens through its kind; adding a kind is its class and a line here.
/// </summary>
internal static class SourceKinds
{
    /// <summary>
    /// Every kind, in the order messages list them. Among kinds without an input prefix, also the
    /// order in which a command-line input is tried: an existing folder is a folder before its name
    /// is looked at for a manifest's extension.
    /// </summary>
    public static IReadOnlyList<ISourceKind> All { get; } = [new FolderSourceKind(), new ManifestSourceKind(), new IdxSourceKind(), new WatchSourceKind()];

    /// <summary>The kind of <paramref name="definition"/>.</summary>
    /// <exception cref="ArgumentException">No registered kind defines it: a kind was written but not registered.</exception>
    public static ISourceKind Of(SourceDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return All.FirstOrDefault(k => k.Defines(definition))
            ?? throw new ArgumentException($"No registered source kind defines a {definition.GetType().Name}; add its kind to SourceKinds.All.", nameof(definition));
    }
}
