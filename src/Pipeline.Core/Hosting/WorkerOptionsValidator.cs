using Microsoft.Extensions.Options;
using Pipeline.Settings;

namespace Pipeline.Hosting;

/// <summary>Checks <see cref="WorkerOptions"/> at start-up, naming the configuration key and the allowed range of its definition.</summary>
internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Inbox))
        {
            errors.Add($"{Key(SettingCatalog.Worker.Inbox)} must name a folder");
        }

        if (string.IsNullOrEmpty(options.WorkerId) || !options.WorkerId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            errors.Add($"{Key(SettingCatalog.Worker.WorkerId)} must be letters, digits, '-' or '_', got '{options.WorkerId}'");
        }

        var runs = SettingCatalog.Worker.MaxConcurrentRuns;
        if (!runs.Allows(options.MaxConcurrentRuns))
        {
            errors.Add(runs.OutOfRange(Key(runs), options.MaxConcurrentRuns));
        }

        Check(SettingCatalog.Worker.PollInterval, options.PollInterval, errors);
        Check(SettingCatalog.Worker.ShutdownGracePeriod, options.ShutdownGracePeriod, errors);
        Check(SettingCatalog.Worker.ClaimLease, options.ClaimLease, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(DurationSetting setting, TimeSpan value, List<string> errors)
    {
        if (!setting.Allows(value))
        {
            errors.Add(setting.OutOfRange(Key(setting), value));
        }
    }

    private static string Key(Setting setting) => $"{WorkerOptions.SectionName}:{setting.ConfigurationKey}";
}
