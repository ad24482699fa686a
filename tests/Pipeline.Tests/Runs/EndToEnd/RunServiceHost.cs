using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Hosting;
using Pipeline.Runs;

namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// The services of <c>pipeline run</c> in process, wired as the CLI wires them (Generic Host
/// configuration from <c>contentRoot</c>, <see cref="PipelineRunService"/>, the real
/// <see cref="StagePipelineRunner"/>), with every log message kept in <see cref="Log"/>.
/// </summary>
internal sealed class RunServiceHost : IDisposable
{
    private readonly IHost _host;

    public RunServiceHost(string contentRoot)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = contentRoot, EnvironmentName = "Test" });
        builder.Logging.ClearProviders().AddProvider(Log);
        builder.Services.AddPipelineRuns(builder.Configuration);
        _host = builder.Build();
    }

    public CapturedLog Log { get; } = new();

    public PipelineRunService Service => _host.Services.GetRequiredService<PipelineRunService>();

    public void Dispose() => _host.Dispose();
}
