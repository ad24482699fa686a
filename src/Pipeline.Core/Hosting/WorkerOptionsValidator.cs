using Microsoft.Extensions.Options;

namespace Pipeline.Hosting;

/// <summary>Checks <see cref="WorkerOptions"/> at start-up, naming the configuration key and its allowed range.</summary>
internal sealed class WorkerOptionsValidator : IValidateOptions<WorkerOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerOptions options)
    {
        const string s = WorkerOptions.SectionName;
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Inbox))
        {
            errors.Add($"{s}:Inbox must name a folder");
        }

        if (string.IsNullOrEmpty(options.WorkerId) || !options.WorkerId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            errors.Add($"{s}:WorkerId must be letters, digits, '-' or '_', got '{options.WorkerId}'");
        }

        if (options.MaxConcurrentRuns is < 1 or > 64)
        {
            errors.Add($"{s}:MaxConcurrentRuns must be from 1 to 64, got {options.MaxConcurrentRuns}");
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(10) || options.PollInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"{s}:PollInterval must be from 00:00:00.010 to 01:00:00, got {options.PollInterval}");
        }

        if (options.ShutdownGracePeriod < TimeSpan.Zero || options.ShutdownGracePeriod > TimeSpan.FromHours(1))
        {
            errors.Add($"{s}:ShutdownGracePeriod must be from 00:00:00 to 01:00:00, got {options.ShutdownGracePeriod}");
        }

        if (options.ClaimLease < TimeSpan.FromSeconds(1) || options.ClaimLease > TimeSpan.FromDays(1))
        {
            errors.Add($"{s}:ClaimLease must be from 00:00:01 to 1.00:00:00, got {options.ClaimLease}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
