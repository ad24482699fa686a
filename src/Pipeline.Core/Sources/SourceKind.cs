using Pipeline.IO;

namespace Pipeline.Sources;

/// <summary>An <see cref="ISourceKind"/> written against its own definition type, which the untyped members check once.</summary>
/// <typeparam name="TDefinition">The kind's definition record.</typeparam>
internal abstract class SourceKind<TDefinition> : ISourceKind
    where TDefinition : SourceDefinition
{
    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public abstract IReadOnlyList<SourceField> Fields { get; }

    /// <inheritdoc/>
    public abstract string? InputForm { get; }

    /// <inheritdoc/>
    public virtual string? InputPrefix => null;

    /// <inheritdoc/>
    public virtual bool IsEndless => false;

    /// <inheritdoc/>
    public bool Defines(SourceDefinition definition) => definition is TDefinition;

    /// <inheritdoc cref="ISourceKind.Create"/>
    public abstract TDefinition Create(IReadOnlyDictionary<string, string> values);

    /// <inheritdoc cref="ISourceKind.Values"/>
    public abstract IReadOnlyDictionary<string, string> Values(TDefinition definition);

    /// <inheritdoc cref="ISourceKind.ParseInput"/>
    public abstract TDefinition? ParseInput(string input);

    /// <inheritdoc cref="ISourceKind.OpenAsync"/>
    public abstract Task<ILabelledImageSource> OpenAsync(TDefinition definition, SourceOpening opening, CancellationToken cancellationToken);

    SourceDefinition ISourceKind.Create(IReadOnlyDictionary<string, string> values) => Create(values);

    IReadOnlyDictionary<string, string> ISourceKind.Values(SourceDefinition definition) => Values(Typed(definition));

    SourceDefinition? ISourceKind.ParseInput(string input) => ParseInput(input);

    Task<ILabelledImageSource> ISourceKind.OpenAsync(SourceDefinition definition, SourceOpening opening, CancellationToken cancellationToken) =>
        OpenAsync(Typed(definition), opening, cancellationToken);

    /// <summary>Reading a FIFO waits for a writer and a device may never end, so neither is opened.</summary>
    /// <param name="path">The file about to be opened.</param>
    /// <param name="what">How the message names it: "Manifest", "IDX file".</param>
    protected static void EnsureRegularFile(string path, string what)
    {
        if (FileKind.DescribeIfNotRegular(path) is { } kind)
        {
            throw new SourceException($"{what} '{Path.GetFullPath(path)}' is not a regular file ({kind}).");
        }
    }

    private TDefinition Typed(SourceDefinition definition) => definition as TDefinition
        ?? throw new ArgumentException($"A {definition.GetType().Name} is not a source of kind {Name}.", nameof(definition));
}
