using Microsoft.Extensions.Options;
using Pipeline.Settings;

namespace Pipeline.Hosting;

/// <summary>Checks <see cref="WorkerOptions"/> at start-up, naming the configuration key and the allowed range of its definition.</summary>
internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        var errors = new ConfigurationErrors(WorkerOptions.SectionName);
        if (string.IsNullOrWhiteSpace(options.Inbox))
        {
            errors.Add($"{errors.Key(SettingCatalog.Worker.Inbox)} must name a folder");
        }

        if (string.IsNullOrEmpty(options.WorkerId) || !options.WorkerId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            errors.Add($"{errors.Key(SettingCatalog.Worker.WorkerId)} must be letters, digits, '-' or '_', got '{options.WorkerId}'");
        }

        errors.Check(SettingCatalog.Worker.MaxConcurrentRuns, options.MaxConcurrentRuns);
        errors.Check(SettingCatalog.Worker.PollInterval, options.PollInterval);
        errors.Check(SettingCatalog.Worker.ShutdownGracePeriod, options.ShutdownGracePeriod);
        errors.Check(SettingCatalog.Worker.ClaimLease, options.ClaimLease);
        return errors.Result;
    }
}
