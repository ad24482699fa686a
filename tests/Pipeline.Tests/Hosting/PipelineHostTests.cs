using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Hosting;
using Pipeline.Runs;
using Pipeline.Tests.Runs;

namespace Pipeline.Tests.Hosting;

/// <summary>
/// The worker host an embedding program builds: it names no runner, so the runner, its journal and
/// its outcome can stay internal while the host still runs the product's stages.
/// </summary>
public sealed class PipelineHostTests
{
    [Fact]
    public void CreateWorkerBuilder_NoRunnerGiven_RunsTheStages()
    {
        using var host = PipelineHost.CreateWorkerBuilder([], new HostApplicationBuilderSettings { EnvironmentName = "Test" }).Build();

        Assert.IsType<StagePipelineRunner>(host.Services.GetRequiredService<IPipelineRunner>());
        Assert.NotNull(host.Services.GetRequiredService<PipelineRunService>());
    }

    [Fact]
    public void AddPipelineRuns_RunnerRegisteredFirst_KeepsIt()
    {
        var runner = FakeRunner.Completing();
        var services = new ServiceCollection().AddLogging().AddSingleton<IPipelineRunner>(runner);

        using var provider = services.AddPipelineRuns(new ConfigurationBuilder().Build()).BuildServiceProvider();

        Assert.Same(runner, provider.GetRequiredService<IPipelineRunner>());
    }
}
