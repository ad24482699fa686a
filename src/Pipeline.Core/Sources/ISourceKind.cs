namespace Pipeline.Sources;

/// <summary>
/// Everything the product knows about one kind of source: its name and keys in a pipeline file, how
/// it is built from the keys' validated values and written back to <c>resolved.yaml</c>, how a
/// command line's <c>--input</c> names it, and how it is opened. The loader, the resolved-YAML writer,
/// the command line and the featurize stage read only this, so a new kind is one class registered in
/// <see cref="SourceKinds.All"/>. Derive from <see cref="SourceKind{TDefinition}"/> rather than
/// implementing this directly.
/// </summary>
internal interface ISourceKind
{
    /// <summary>The kind's name in a pipeline file (<c>kind: folder</c>), lower case.</summary>
    string Name { get; }

    /// <summary>The keys the kind takes besides <c>kind</c>, in the order <c>resolved.yaml</c> writes them.</summary>
    IReadOnlyList<SourceField> Fields { get; }

    /// <summary>How a command-line input of this kind looks, for messages that list them: "a folder"; null for a kind the command line does not take.</summary>
    string? InputForm { get; }

    /// <summary>
    /// The prefix that names this kind on the command line whatever follows (<c>idx:</c>), or null
    /// for a kind told by what the path is. Prefixed kinds are tried first.
    /// </summary>
    string? InputPrefix { get; }

    /// <summary>
    /// Whether a source of this kind never ends (its <see cref="ILabelledImageSource.IsEndless"/>), so
    /// that the pipeline-file loader can refuse what makes no sense in a stream before anything opens.
    /// </summary>
    bool IsEndless { get; }

    /// <summary>Whether <paramref name="definition"/> is of this kind.</summary>
    bool Defines(SourceDefinition definition);

    /// <summary>
    /// The definition from its fields' values, keyed by <see cref="SourceField.Key"/>, each already
    /// checked by the loader against its field and made absolute.
    /// </summary>
    SourceDefinition Create(IReadOnlyDictionary<string, string> values);

    /// <summary>The values of a definition of this kind, keyed like <see cref="Fields"/>: <see cref="Create"/> of them is an equal definition.</summary>
    IReadOnlyDictionary<string, string> Values(SourceDefinition definition);

    /// <summary>The definition a command-line input names when it is of this kind, else null.</summary>
    /// <exception cref="SourceException">The input carries this kind's prefix but what follows is malformed.</exception>
    SourceDefinition? ParseInput(string input);

    /// <summary>Opens a definition of this kind, reading what its class list needs; <paramref name="opening"/> holds the log and the run's settings for reading it.</summary>
    /// <exception cref="SourceException">What it names is missing, not a regular file, malformed or holds no images.</exception>
    Task<ILabelledImageSource> OpenAsync(SourceDefinition definition, SourceOpening opening, CancellationToken cancellationToken);
}
