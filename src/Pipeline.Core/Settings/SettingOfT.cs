namespace Pipeline.Settings;

/// <summary>A setting whose value is a <typeparamref name="T"/>: a flag, a folder name, a duration.</summary>
internal class Setting<T> : Setting
{
    public Setting(string? key, T defaultValue, string description)
        : base(key, description) => Default = defaultValue;

    /// <summary>The value when neither the file, the command line nor the configuration gives one.</summary>
    public T Default { get; }

    /// <inheritdoc />
    public override object? DefaultValue => Default;
}
