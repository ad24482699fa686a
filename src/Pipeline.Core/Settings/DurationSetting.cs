using System.Diagnostics;
using System.Globalization;

namespace Pipeline.Settings;

/// <summary>A configuration setting that is a length of time, with its shortest and longest value.</summary>
internal sealed class DurationSetting : Setting<TimeSpan>
{
    public DurationSetting(TimeSpan defaultValue, TimeSpan min, TimeSpan max, string description)
        : base(null, defaultValue, description)
    {
        Min = min;
        Max = max;
        Debug.Assert(Allows(defaultValue), $"the default {defaultValue} lies outside {min} to {max}");
    }

    /// <summary>The shortest value allowed.</summary>
    public TimeSpan Min { get; }

    /// <summary>The longest value allowed.</summary>
    public TimeSpan Max { get; }

    /// <summary>Whether <paramref name="value"/> is from <see cref="Min"/> to <see cref="Max"/>.</summary>
    public bool Allows(TimeSpan value) => value >= Min && value <= Max;

    /// <summary>The message of a value out of range: <c>Pipeline:Worker:PollInterval must be from 00:00:00.010 to 01:00:00, got 00:00:00</c>.</summary>
    public string OutOfRange(string name, TimeSpan value) => $"{name} must be from {Format(Min)} to {Format(Max)}, got {value}";

    /// <summary>A bound as configuration writes it; milliseconds to three digits rather than TimeSpan's seven.</summary>
    private static string Format(TimeSpan value) =>
        value.Milliseconds == 0 ? value.ToString() : value.ToString(@"hh\:mm\:ss\.fff", CultureInfo.InvariantCulture);
}
