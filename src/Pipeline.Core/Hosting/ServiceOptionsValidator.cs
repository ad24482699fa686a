using System.Globalization;
using System.Numerics;
using Microsoft.Extensions.Options;
using Pipeline.Settings;

namespace Pipeline.Hosting;

/// <summary>Checks <see cref="ServiceOptions"/> at start-up, naming the configuration key and the allowed range of its definition.</summary>
internal sealed class ServiceOptionsValidator : IValidateOptions<ServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.OutputRoot))
        {
            errors.Add($"{Key(SettingCatalog.Service.OutputRoot)} must name a folder");
        }

        if (string.IsNullOrWhiteSpace(options.ModelsDirectory))
        {
            errors.Add($"{Key(SettingCatalog.Service.ModelsDirectory)} must name a folder");
        }

        Check(SettingCatalog.Featurize.BatchSize, options.BatchSize, errors);
        Check(SettingCatalog.Featurize.Parallelism, options.Parallelism, errors);
        Check(SettingCatalog.Limits.MaxFileBytes, options.Limits.MaxFileBytes, errors);
        Check(SettingCatalog.Limits.MaxPixels, options.Limits.MaxPixels, errors);

        // Configuration gives a TimeSpan where the file gives seconds: the bounds of the same range, in each one's unit.
        var decode = SettingCatalog.Limits.MaxDecodeSeconds;
        if (!decode.Allows(options.Limits.MaxDecodeTime.TotalSeconds))
        {
            errors.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{Key(decode)} must be more than {decode.Range.Min} and at most {TimeSpan.FromSeconds(decode.Range.Max)}, got {options.Limits.MaxDecodeTime}"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check<T>(NumberSetting<T> setting, T value, List<string> errors)
        where T : struct, INumber<T>
    {
        if (!setting.Allows(value))
        {
            errors.Add(setting.OutOfRange(Key(setting), value));
        }
    }

    private static string Key(Setting setting) => $"{ServiceOptions.SectionName}:{setting.ConfigurationKey}";
}
