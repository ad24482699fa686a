using System.Globalization;
using Microsoft.Extensions.Options;
using Pipeline.Settings;

namespace Pipeline.Hosting;

/// <summary>Checks <see cref="ServiceOptions"/> at start-up, naming the configuration key and the allowed range of its definition.</summary>
internal sealed class ServiceOptionsValidator : IValidateOptions<ServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceOptions options)
    {
        var errors = new ConfigurationErrors(ServiceOptions.SectionName);
        if (string.IsNullOrWhiteSpace(options.OutputRoot))
        {
            errors.Add($"{errors.Key(SettingCatalog.Service.OutputRoot)} must name a folder");
        }

        if (string.IsNullOrWhiteSpace(options.ModelsDirectory))
        {
            errors.Add($"{errors.Key(SettingCatalog.Service.ModelsDirectory)} must name a folder");
        }

        errors.Check(SettingCatalog.Featurize.BatchSize, options.BatchSize);
        errors.Check(SettingCatalog.Featurize.Parallelism, options.Parallelism);
        errors.Check(SettingCatalog.Limits.MaxFileBytes, options.Limits.MaxFileBytes);
        errors.Check(SettingCatalog.Limits.MaxPixels, options.Limits.MaxPixels);

        // Configuration gives a TimeSpan where the file gives seconds: the bounds of the same range, in each one's unit.
        var decode = SettingCatalog.Limits.MaxDecodeSeconds;
        if (!decode.Allows(options.Limits.MaxDecodeTime.TotalSeconds))
        {
            errors.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"{errors.Key(decode)} must be more than {decode.Range.Min} and at most {TimeSpan.FromSeconds(decode.Range.Max)}, got {options.Limits.MaxDecodeTime}"));
        }

        return errors.Result;
    }
}
