using System.CommandLine;
using System.Globalization;
using System.Numerics;
using Pipeline.Settings;

namespace Pipeline.Cli;

/// <summary>
/// Command-line options made from setting definitions: the name, default, range check and help of an
/// option are its setting's, so a command and a pipeline file cannot disagree about them.
/// </summary>
internal static class SettingOptions
{
    /// <summary>A number option checked against the setting's range; the help ends with that range.</summary>
    public static Option<T> Number<T>(NumberSetting<T> setting)
        where T : struct, INumber<T> => new Option<T>(Name(setting))
        {
            Description = string.Create(CultureInfo.InvariantCulture, $"{setting.Description} Allowed: {setting.Range}."),
            DefaultValueFactory = _ => setting.Default,
        }.InRange(setting.Range);

    /// <summary>A true/false option.</summary>
    public static Option<bool> Flag(Setting<bool> setting) => new(Name(setting))
    {
        Description = setting.Description,
        DefaultValueFactory = _ => setting.Default,
    };

    /// <summary>An option taking one member of <typeparamref name="TEnum"/>.</summary>
    public static Option<TEnum> Choice<TEnum>(ChoiceSetting setting)
        where TEnum : struct, Enum => new(Name(setting))
        {
            Description = setting.Description,
            DefaultValueFactory = _ => setting.DefaultAs<TEnum>(),
        };

    /// <summary>A folder option, which must not be empty (an empty path would mean the current folder).</summary>
    public static Option<string> Folder(Setting<string> setting) => new Option<string>(Name(setting))
    {
        Description = setting.Description,
        DefaultValueFactory = _ => setting.Default,
    }.NotEmpty();

    /// <summary>A free-text option, e.g. a comma-separated list (<see cref="List"/>).</summary>
    public static Option<string> Text(Setting<string> setting) => new(Name(setting))
    {
        Description = setting.Description,
        DefaultValueFactory = _ => setting.Default,
    };

    /// <summary>The items of a comma-separated option value, trimmed, empty ones dropped.</summary>
    public static IReadOnlyList<string> List(string value) =>
        value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The setting's option name; a definition without one is a bug of the command that asks.</summary>
    public static string Name(Setting setting) =>
        setting.Option ?? throw new ArgumentException($"setting '{setting.Key ?? setting.ConfigurationKey}' has no command-line option", nameof(setting));
}
