namespace Pipeline.Settings;

/// <summary>
/// One tunable value, defined once: its key in a pipeline file, its command-line option, its
/// configuration key, its default and the sentence that documents it. The YAML loader, the resolved
/// YAML, the CLI and the appsettings validation all read the definition, so that a name, a default or
/// a range cannot drift apart between them, and adding a setting is one entry in
/// <see cref="SettingCatalog"/> plus the places that use its value.
/// </summary>
internal abstract class Setting
{
    private protected Setting(string? key, string description)
    {
        Key = key;
        Description = description;
    }

    /// <summary>The key within its pipeline-file section (<c>batchSize</c>); null for a service-only setting.</summary>
    public string? Key { get; }

    /// <summary>The command-line option (<c>--batch-size</c>); null when no command takes it as such.</summary>
    public string? Option { get; init; }

    /// <summary>
    /// The key within its configuration section (<c>BatchSize</c>, <c>Limits:MaxFileBytes</c>, under
    /// <c>Pipeline</c> or <c>Pipeline:Worker</c>); null when configuration does not set it.
    /// </summary>
    public string? ConfigurationKey { get; init; }

    /// <summary>What the setting does, as the command-line help says it; without the range, which the help adds from the definition.</summary>
    public string Description { get; }

    /// <summary>The default, boxed, for checks that walk the whole catalog.</summary>
    public abstract object? DefaultValue { get; }
}
