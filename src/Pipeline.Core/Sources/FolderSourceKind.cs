namespace Pipeline.Sources;

/// <summary>
/// A folder per class (<c>kind: folder</c> with <c>path</c>). On the command line, any existing
/// folder, even one whose name ends in <c>.csv</c>: it is registered before the manifest kind.
/// </summary>
internal sealed class FolderSourceKind : SourceKind<FolderSourceDefinition>
{
    private static readonly SourceField PathField = new("path", SourceFieldKind.Folder);

    public override string Name => "folder";

    public override IReadOnlyList<SourceField> Fields { get; } = [PathField];

    public override string InputForm => "a folder";

    public override FolderSourceDefinition Create(IReadOnlyDictionary<string, string> values) => new(values[PathField.Key]);

    public override IReadOnlyDictionary<string, string> Values(FolderSourceDefinition definition) =>
        new Dictionary<string, string> { [PathField.Key] = definition.Path };

    public override FolderSourceDefinition? ParseInput(string input) => Directory.Exists(input) ? new(input) : null;

    public override Task<ILabelledImageSource> OpenAsync(FolderSourceDefinition definition, SourceOpening opening, CancellationToken cancellationToken) =>
        Task.FromResult<ILabelledImageSource>(new FolderImageSource(definition.Path));
}
