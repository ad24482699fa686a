using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Pipeline.Hosting;

/// <summary>
/// The worker's <c>--Pipeline:…=value</c> arguments checked on their own, over the defaults, before
/// the host starts: a bad one is then a usage error that names the argument as typed, which the
/// host's start-up validation cannot do because it sees appsettings.json, the environment and the
/// command line merged.
/// </summary>
internal static class CommandLineSettings
{
    /// <summary>One message per bad argument, each naming it with its leading <c>--</c>; empty when all are good.</summary>
    public static IReadOnlyList<string> Errors(string[] args)
    {
        var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
        var errors = new List<string>();
        Check(configuration, ServiceOptions.SectionName, new ServiceOptionsValidator(), errors);
        Check(configuration, WorkerOptions.SectionName, new WorkerOptionsValidator(), errors);
        Check(configuration, MetricsOptions.SectionName, new MetricsOptionsValidator(), errors);
        return errors;
    }

    private static void Check<T>(IConfiguration configuration, string section, IValidateOptions<T> validator, List<string> errors)
        where T : class, new()
    {
        T options;
        try
        {
            options = configuration.GetSection(section).Get<T>() ?? new T();
        }
        catch (InvalidOperationException)
        {
            // The binder names the key but not the value; bind each argument alone to say which one.
            foreach (var (key, value) in configuration.GetSection(section).AsEnumerable().Where(p => p.Value is not null))
            {
                var single = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();
                try
                {
                    single.GetSection(section).Get<T>();
                }
                catch (InvalidOperationException e)
                {
                    errors.Add($"--{key} cannot be '{value}': {(e.InnerException ?? e).Message}");
                }
            }

            return;
        }

        var result = validator.Validate(null, options);
        if (result.Failed)
        {
            errors.AddRange(result.Failures.Select(failure => $"--{failure}"));
        }
    }
}
