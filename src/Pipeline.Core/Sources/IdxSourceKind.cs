namespace Pipeline.Sources;

/// <summary>
/// A pair of IDX files (<c>kind: idx</c> with <c>images</c> and <c>labels</c>; on the command line
/// <c>idx:IMAGES,LABELS</c>). A pipeline file names the two files separately, so only the command
/// line has to find the comma between them.
/// </summary>
internal sealed class IdxSourceKind : SourceKind<IdxSourceDefinition>
{
    /// <summary>The prefix of an IDX pair on the command line: <c>idx:IMAGES,LABELS</c>.</summary>
    public const string Prefix = "idx:";

    private static readonly SourceField ImagesField = new("images", SourceFieldKind.File);
    private static readonly SourceField LabelsField = new("labels", SourceFieldKind.File);

    public override string Name => "idx";

    public override IReadOnlyList<SourceField> Fields { get; } = [ImagesField, LabelsField];

    public override string InputForm => "idx:IMAGES,LABELS";

    public override string InputPrefix => Prefix;

    public override IdxSourceDefinition Create(IReadOnlyDictionary<string, string> values) =>
        new(values[ImagesField.Key], values[LabelsField.Key]);

    public override IReadOnlyDictionary<string, string> Values(IdxSourceDefinition definition) =>
        new Dictionary<string, string> { [ImagesField.Key] = definition.Images, [LabelsField.Key] = definition.Labels };

    /// <summary>
    /// The two paths of <c>idx:IMAGES,LABELS</c>. With one comma it splits there; when a path holds
    /// commas too, the one split whose both sides are existing files is taken, and none or several
    /// such splits are an error rather than a guess.
    /// </summary>
    public override IdxSourceDefinition? ParseInput(string input)
    {
        if (!input.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var pair = input[Prefix.Length..];
        var commas = Enumerable.Range(0, pair.Length).Where(i => pair[i] == ',').ToArray();
        var splits = commas.Select(i => new IdxSourceDefinition(pair[..i].Trim(), pair[(i + 1)..].Trim())).ToArray();
        if (splits.Length == 1 && splits[0].Images.Length > 0 && splits[0].Labels.Length > 0)
        {
            return splits[0];
        }

        if (splits.Length <= 1)
        {
            throw new SourceException($"IDX input '{input}' must name two files: idx:IMAGES,LABELS.");
        }

        var existing = splits.Where(s => File.Exists(s.Images) && File.Exists(s.Labels)).ToArray();
        return existing.Length switch
        {
            1 => existing[0],
            0 => throw new SourceException(
                $"IDX input '{input}' holds {commas.Length} commas, and no split at one of them names two existing files; "
                + "check the paths, or name the files separately in a pipeline file (source: {kind: idx, images: …, labels: …})."),
            _ => throw new SourceException(
                $"IDX input '{input}' is ambiguous: it splits into two existing files at {existing.Length} of its {commas.Length} commas "
                + $"('{existing[0].Images}' + '{existing[0].Labels}', '{existing[1].Images}' + '{existing[1].Labels}'); "
                + "name the files separately in a pipeline file (source: {kind: idx, images: …, labels: …})."),
        };
    }

    public override async Task<ILabelledImageSource> OpenAsync(IdxSourceDefinition definition, SourceOpening opening, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(definition.Images);
        ArgumentException.ThrowIfNullOrEmpty(definition.Labels);
        foreach (var file in (string[])[definition.Images, definition.Labels])
        {
            if (!File.Exists(file))
            {
                throw new SourceException($"IDX file '{Path.GetFullPath(file)}' does not exist.");
            }

            EnsureRegularFile(file, "IDX file");
        }

        return await IdxImageSource.OpenAsync(definition.Images, definition.Labels, cancellationToken).ConfigureAwait(false);
    }
}
