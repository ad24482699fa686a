namespace Pipeline.Sources;

/// <summary>
/// A CSV or Parquet manifest (<c>kind: manifest</c> with <c>path</c>). Its extension picks the
/// reader, so on the command line and in a pipeline file alike the extension tells a manifest, and
/// any other is refused before the file is looked for.
/// </summary>
internal sealed class ManifestSourceKind : SourceKind<ManifestSourceDefinition>
{
    private static readonly SourceField PathField = new("path", SourceFieldKind.File) { Extensions = [".csv", ".parquet"], Noun = "manifest" };

    public override string Name => "manifest";

    public override IReadOnlyList<SourceField> Fields { get; } = [PathField];

    public override string InputForm => $"a {string.Join(" or ", PathField.Extensions)} manifest";

    /// <summary>Whether <paramref name="path"/> names a manifest by its extension: <c>.csv</c> or <c>.parquet</c>, in any case.</summary>
    public static bool IsManifest(string path) => PathField.HasExtension(path);

    public override ManifestSourceDefinition Create(IReadOnlyDictionary<string, string> values) => new(values[PathField.Key]);

    public override IReadOnlyDictionary<string, string> Values(ManifestSourceDefinition definition) =>
        new Dictionary<string, string> { [PathField.Key] = definition.Path };

    public override ManifestSourceDefinition? ParseInput(string input) => IsManifest(input) ? new(input) : null;

    public override async Task<ILabelledImageSource> OpenAsync(ManifestSourceDefinition definition, SourceOpening opening, CancellationToken cancellationToken)
    {
        EnsureRegularFile(definition.Path, "Manifest");
        return await ManifestImageSource.OpenAsync(definition.Path, cancellationToken).ConfigureAwait(false);
    }
}
