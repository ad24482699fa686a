using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using Pipeline.Featurization;
using Pipeline.Runs;
using Pipeline.Settings;
using Pipeline.PipelineFiles;

namespace Pipeline.Hosting;

/// <summary>
/// Builds the Generic Host for <c>pipeline worker</c> (and the services <c>pipeline run</c> needs) with
/// the product's stages as the runner, so that a program embedding the worker calls one method and
/// never sees the runner, its journal or its outcome. Configuration follows the usual .NET
/// order, later winning: appsettings.json and appsettings.{Environment}.json in the content root (the
/// current directory), environment variables (<c>Pipeline__Worker__MaxConcurrentRuns=2</c>), then the
/// command line (<c>--Pipeline:Worker:MaxConcurrentRuns=2</c>).
/// </summary>
public static class PipelineHost
{
    /// <summary>A host builder with the run services and the inbox worker registered, running the product's stages.</summary>
    /// <param name="args">Command-line arguments (configuration overrides).</param>
    /// <param name="settings">Host settings (content root, environment); <paramref name="args"/> replaces its Args.</param>
    public static HostApplicationBuilder CreateWorkerBuilder(string[] args, HostApplicationBuilderSettings? settings = null) =>
        CreateWorkerBuilder(args, DefaultRunner, settings);

    /// <summary>A host builder whose runner is <paramref name="runnerFactory"/>'s: tests put a scripted runner in place of the stages.</summary>
    internal static HostApplicationBuilder CreateWorkerBuilder(string[] args, Func<IServiceProvider, IPipelineRunner> runnerFactory, HostApplicationBuilderSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(runnerFactory);
        settings ??= new HostApplicationBuilderSettings();
        settings.Args = args;
        var builder = Host.CreateApplicationBuilder(settings);
        builder.Services.AddSingleton(runnerFactory);
        builder.Services.AddPipelineRuns(builder.Configuration);
        builder.Services.AddInboxWorker(builder.Configuration);
        return builder;
    }

    /// <summary>The worker host, ready to <c>RunAsync</c> (SIGTERM and Ctrl+C stop it gracefully).</summary>
    public static IHost BuildWorker(string[] args) => CreateWorkerBuilder(args).Build();

    /// <summary>
    /// Registers <see cref="ServiceOptions"/> (validated at start), <see cref="IModelAvailability"/> (models
    /// folder, unless already registered), <see cref="TimeProvider"/>, <see cref="PipelineRunService"/>
    /// and, unless one is registered already, the product's stages as its runner, logging progress
    /// lines rather than drawing a bar, as a service's output is a log.
    /// </summary>
    public static IServiceCollection AddPipelineRuns(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ServiceOptions>().Bind(configuration.GetSection(ServiceOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ServiceOptions>, ServiceOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IModelAvailability>(sp => new ModelFileAvailability(ModelsDirectory(sp)));
        services.TryAddSingleton<IPipelineRunner>(DefaultRunner);
        services.TryAddSingleton(sp => new PipelineRunService(
            sp.GetRequiredService<IPipelineRunner>(),
            Options(sp).ToRunDefaults(ContentRoot(sp)),
            ModelsDirectory(sp),
            sp.GetRequiredService<IModelAvailability>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<PipelineRunService>>()));
        return services;
    }

    /// <summary>
    /// Registers <see cref="InboxWorker"/> with <see cref="WorkerOptions"/> from <c>Pipeline:Worker</c>
    /// (validated at start), sets <c>HostOptions.ShutdownTimeout</c> to its grace period, and hosts the
    /// metrics and health endpoint (<see cref="AddPipelineMetrics"/>), which checks its inbox.
    /// </summary>
    public static IServiceCollection AddInboxWorker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WorkerOptions>().Bind(configuration.GetSection(WorkerOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WorkerOptions>, WorkerOptionsValidator>());
        services.AddOptions<HostOptions>().Configure<IOptions<WorkerOptions>>((host, worker) => host.ShutdownTimeout = worker.Value.ShutdownGracePeriod);

        // Before the worker: hosted services start in order and stop in reverse, so a taken port fails the
        // start before anything is claimed, and the probes answer until the drain is over.
        services.AddPipelineMetrics(configuration, sp => Path.GetFullPath(sp.GetRequiredService<IOptions<WorkerOptions>>().Value.Inbox, ContentRoot(sp)));
        services.AddHostedService(sp => sp.GetRequiredService<MetricsEndpoint>());
        services.AddHostedService<InboxWorker>();
        return services;
    }

    /// <summary>
    /// Registers <see cref="MetricsOptions"/> from <c>Pipeline:Metrics</c> (validated at start), the
    /// <see cref="MetricsEndpoint"/> (not started: the worker hosts it, <c>pipeline run</c> starts it
    /// itself) and, when <see cref="MetricsOptions.OtlpEndpoint"/> is set, an OpenTelemetry
    /// <c>MeterProvider</c> exporting the <c>Pipeline</c> meter over OTLP. The provider is made when
    /// first resolved, which the host's start does; a host that is not started resolves it itself.
    /// </summary>
    /// <param name="inbox">The inbox the health endpoint checks, or null for none.</param>
    internal static IServiceCollection AddPipelineMetrics(this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, string?> inbox)
    {
        var section = configuration.GetSection(MetricsOptions.SectionName);
        services.AddOptions<MetricsOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>());
        services.TryAddSingleton(sp => new MetricsEndpoint(
            sp.GetRequiredService<IOptions<MetricsOptions>>().Value,
            PipelineMeter.Shared,
            inbox(sp),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("metrics")));

        // Read here because the exporter is either registered or not; a value the validator refuses
        // fails the start (or `run`) before anything is exported.
        if (Uri.TryCreate(section[SettingCatalog.Metrics.OtlpEndpoint.ConfigurationKey!], UriKind.Absolute, out var endpoint))
        {
            services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter(PipelineMeter.Name)
                .AddOtlpExporter((exporter, reader) =>
                {
                    var options = section.Get<MetricsOptions>() ?? new MetricsOptions();
                    exporter.Endpoint = endpoint;
                    exporter.Protocol = string.Equals(options.OtlpProtocol, "http/protobuf", StringComparison.OrdinalIgnoreCase)
                        ? OtlpExportProtocol.HttpProtobuf
                        : OtlpExportProtocol.Grpc;
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.ExportInterval.TotalMilliseconds;
                }));
        }

        return services;
    }

    private static StagePipelineRunner DefaultRunner(IServiceProvider services) => StagePipelineRunner.Create(services, terminal: null);

    private static ServiceOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<ServiceOptions>>().Value;

    private static string ModelsDirectory(IServiceProvider services) =>
        Path.GetFullPath(Options(services).ModelsDirectory, ContentRoot(services));

    private static string ContentRoot(IServiceProvider services) =>
        services.GetService<IHostEnvironment>()?.ContentRootPath ?? Directory.GetCurrentDirectory();
}
