namespace Pipeline.Settings;

/// <summary>
/// A list of values of another setting, e.g. the grid's <c>regParam</c> values: each item has that
/// setting's range, and a list left out is that setting's single value.
/// </summary>
internal sealed class NumberListSetting(string key, NumberSetting<double> item, string description) : Setting(key, description)
{
    /// <summary>The setting each item is a value of.</summary>
    public NumberSetting<double> Item { get; } = item;

    /// <summary>The range of every item.</summary>
    public NumberRange Range => Item.Range;

    /// <inheritdoc />
    public override object? DefaultValue => new[] { Item.Default };
}
