namespace Pipeline.Settings;

/// <summary>
/// A list of values of a flag setting, e.g. the grid's <c>standardization</c> values
/// (<c>[true, false]</c> tries both); a list left out is that setting's single value.
/// </summary>
internal sealed class FlagListSetting(string key, Setting<bool> item, string description) : Setting(key, description)
{
    /// <summary>The flag each item is a value of.</summary>
    public Setting<bool> Item { get; } = item;

    /// <inheritdoc />
    public override object? DefaultValue => new[] { Item.Default };
}
