namespace Pipeline.Sources;

/// <summary>
/// A watched folder (<c>kind: watch</c> with <c>path</c>), read by a streaming run. The command line
/// names no watch source: <c>watch:DIR</c> is refused with a pointer to pipeline files, because a
/// streaming run also takes the <c>stream</c> settings that only a pipeline file holds.
/// </summary>
internal sealed class WatchSourceKind : SourceKind<WatchSourceDefinition>
{
    /// <summary>The prefix that the command line refuses.</summary>
    public const string Prefix = "watch:";

    private static readonly SourceField PathField = new("path", SourceFieldKind.Folder);

    public override string Name => "watch";

    public override IReadOnlyList<SourceField> Fields { get; } = [PathField];

    public override string? InputForm => null;

    /// <summary>A watched folder never ends: a pipeline file over it is a stream.</summary>
    public override bool IsEndless => true;

    public override string InputPrefix => Prefix;

    public override WatchSourceDefinition Create(IReadOnlyDictionary<string, string> values) => new(values[PathField.Key]);

    public override IReadOnlyDictionary<string, string> Values(WatchSourceDefinition definition) =>
        new Dictionary<string, string> { [PathField.Key] = definition.Path };

    public override WatchSourceDefinition? ParseInput(string input) => input.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase)
        ? throw new SourceException(
            $"Input '{input}': a watch source is named in a pipeline file (source: {{kind: watch, path: {input[Prefix.Length..]}}}) and run with pipeline run FILE, since watch sources need a streaming run.")
        : null;

    /// <summary>Opens the folder with the run's watch settings and log (the catalog's <c>stream</c> defaults and none when the caller gives none).</summary>
    public override Task<ILabelledImageSource> OpenAsync(WatchSourceDefinition definition, SourceOpening opening, CancellationToken cancellationToken) =>
        Task.FromResult<ILabelledImageSource>(new WatchImageSource(definition.Path, opening.Watch, opening.Logger));
}
