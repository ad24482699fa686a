using System.Numerics;
using Microsoft.Extensions.Options;
using Pipeline.Settings;

namespace Pipeline.Hosting;

/// <summary>
/// The start-up errors of one configuration section, each naming its key as the configuration
/// spells it (<c>Pipeline:Worker:PollInterval</c>) and, for a ranged setting, its definition's range.
/// </summary>
internal sealed class ConfigurationErrors(string section)
{
    private readonly List<string> _errors = [];

    /// <summary>The key of <paramref name="setting"/> in this section.</summary>
    public string Key(Setting setting) => $"{section}:{setting.ConfigurationKey}";

    public void Add(string error) => _errors.Add(error);

    /// <summary>Adds the out-of-range message when <paramref name="value"/> is outside the definition's range.</summary>
    public void Check<T>(NumberSetting<T> setting, T value)
        where T : struct, INumber<T>
    {
        if (!setting.Allows(value))
        {
            _errors.Add(setting.OutOfRange(Key(setting), value));
        }
    }

    /// <inheritdoc cref="Check{T}(NumberSetting{T}, T)"/>
    public void Check(DurationSetting setting, TimeSpan value)
    {
        if (!setting.Allows(value))
        {
            _errors.Add(setting.OutOfRange(Key(setting), value));
        }
    }

    public ValidateOptionsResult Result => _errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_errors);
}
