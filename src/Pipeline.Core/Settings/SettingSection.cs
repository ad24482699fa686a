namespace Pipeline.Settings;

/// <summary>One mapping of a pipeline file (<c>featurize</c>, <c>train</c>...): its key and the settings it holds, in the order files and help list them.</summary>
internal sealed class SettingSection
{
    public SettingSection(string key, IReadOnlyList<Setting> settings)
    {
        Key = key;
        Settings = settings;
        Keys = [.. settings.Select(s => s.Key ?? throw new ArgumentException($"setting '{s.Description}' of section {key} has no YAML key", nameof(settings)))];
    }

    /// <summary>The section's key at the top of the file.</summary>
    public string Key { get; }

    /// <summary>The settings, in file order.</summary>
    public IReadOnlyList<Setting> Settings { get; }

    /// <summary>The known keys of the section, which the loader accepts and names in its messages.</summary>
    public IReadOnlyList<string> Keys { get; }
}
