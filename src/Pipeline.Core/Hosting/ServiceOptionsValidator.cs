using Microsoft.Extensions.Options;
using Pipeline.Decoding;

namespace Pipeline.Hosting;

/// <summary>Checks <see cref="ServiceOptions"/> at start-up, naming the configuration key and its allowed range.</summary>
internal sealed class ServiceOptionsValidator : IValidateOptions<ServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, ServiceOptions options)
    {
        const string s = ServiceOptions.SectionName;
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.OutputRoot))
        {
            errors.Add($"{s}:OutputRoot must name a folder");
        }

        if (string.IsNullOrWhiteSpace(options.ModelsDirectory))
        {
            errors.Add($"{s}:ModelsDirectory must name a folder");
        }

        if (options.BatchSize is < 1 or > 4096)
        {
            errors.Add($"{s}:BatchSize must be from 1 to 4096, got {options.BatchSize}");
        }

        if (options.Parallelism is < 1 or > 256)
        {
            errors.Add($"{s}:Parallelism must be from 1 to 256, got {options.Parallelism}");
        }

        if (options.Limits.MaxFileBytes < 1)
        {
            errors.Add($"{s}:Limits:MaxFileBytes must be 1 or more, got {options.Limits.MaxFileBytes}");
        }

        if (options.Limits.MaxPixels < 1)
        {
            errors.Add($"{s}:Limits:MaxPixels must be 1 or more, got {options.Limits.MaxPixels}");
        }

        if (options.Limits.MaxDecodeTime <= TimeSpan.Zero || options.Limits.MaxDecodeTime > DecodeLimits.MaxDecodeTimeLimit)
        {
            errors.Add($"{s}:Limits:MaxDecodeTime must be more than 0 and at most {DecodeLimits.MaxDecodeTimeLimit}, got {options.Limits.MaxDecodeTime}");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
