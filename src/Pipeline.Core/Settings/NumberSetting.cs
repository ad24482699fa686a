using System.Diagnostics;
using System.Globalization;
using System.Numerics;

namespace Pipeline.Settings;

/// <summary>A numeric setting with the range every surface checks it against.</summary>
internal sealed class NumberSetting<T> : Setting<T>
    where T : struct, INumber<T>
{
    public NumberSetting(string? key, T defaultValue, NumberRange range, string description)
        : base(key, defaultValue, description)
    {
        Range = range;
        Debug.Assert(Allows(defaultValue), $"the default of {key} lies outside its range {range}");
    }

    /// <summary>The values allowed in the file, on the command line and in configuration.</summary>
    public NumberRange Range { get; }

    /// <summary>Whether <paramref name="value"/> is finite and in <see cref="Range"/>.</summary>
    public bool Allows(T value)
    {
        var number = double.CreateTruncating(value);
        return double.IsFinite(number) && Range.Contains(number);
    }

    /// <summary>The message of a value out of range, naming it as the user wrote it: <c>--batch-size must be from 1 to 4096, got 0</c>.</summary>
    public string OutOfRange(string name, T value) =>
        string.Create(CultureInfo.InvariantCulture, $"{name} must be {Range}, got {value}");
}
