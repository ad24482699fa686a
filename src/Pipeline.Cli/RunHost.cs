using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Hosting;
using Pipeline.Runs;

namespace Pipeline.Cli;

/// <summary>
/// The services <c>pipeline run</c> and <c>validate</c> need, configured like the worker
/// (appsettings.json, environment variables) so a file behaves the same in both; that includes the
/// worker's <see cref="WorkerOptions.ShutdownGracePeriod"/>, which bounds <c>run</c>'s stop as well,
/// and its <see cref="MetricsOptions"/>: the metrics endpoint and OTLP export, off unless configured.
/// </summary>
internal static class RunHost
{
    public static IHost Build(TextWriter? terminal = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [] });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton<IPipelineRunner>(services => StagePipelineRunner.Create(services, terminal));
        builder.Services.AddPipelineRuns(builder.Configuration);
        builder.Services.AddOptions<WorkerOptions>().Bind(builder.Configuration.GetSection(WorkerOptions.SectionName));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>());
        builder.Services.AddPipelineMetrics(builder.Configuration, inbox: _ => null);
        return builder.Build();
    }
}
