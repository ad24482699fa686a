namespace Pipeline.Sources;

/// <summary>
/// Where labelled images come from, typed by kind (<see cref="FolderSourceDefinition"/>,
/// <see cref="ManifestSourceDefinition"/>, <see cref="IdxSourceDefinition"/>, <see cref="WatchSourceDefinition"/>). A pipeline file's
/// <c>source</c> and a command line's <c>--input</c> both become one of these once, at the edge, and
/// <see cref="ImageSourceFactory.OpenAsync(SourceDefinition, CancellationToken)"/> opens it: no path
/// is joined back into a string to be parsed again.
/// </summary>
/// <remarks>
/// Each kind is registered once, in <see cref="SourceKinds.All"/>; its <see cref="ISourceKind"/> says
/// how the kind is read, written back and opened. Only this assembly derives kinds, so that every
/// definition has one.
/// </remarks>
public abstract record SourceDefinition
{
    private protected SourceDefinition()
    {
    }
}
