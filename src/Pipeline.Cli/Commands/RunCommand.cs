using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Pipeline.Hosting;
using Pipeline.Runs;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline run</c>: one pipeline file end to end, in this process.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The pipeline YAML file (see pipelines/)." }.NotEmpty();
        var command = new HostedCommand("run", "Run a pipeline file end to end: featurize (reusing features already in the run folder), train, evaluate, predict; writes run.json and a report.") { file };
        command.SetAction(async parse =>
        {
            using var host = RunHost.Build(ConsoleLogging.Terminal);
            var service = host.Services.GetRequiredService<PipelineRunService>();
            var gracePeriod = host.Services.GetRequiredService<IOptions<WorkerOptions>>().Value.ShutdownGracePeriod;
            var path = parse.GetValue(file)!;

            // Made before the run, so a metrics setting that fails validation or a port that is taken fails it at once.
            _ = host.Services.GetService<MeterProvider>();
            var metrics = host.Services.GetRequiredService<MetricsEndpoint>();
            RunResult result;
            bool cutShort;
            await metrics.StartAsync(CancellationToken.None);
            try
            {
                using var stop = new StopSignal();
                using var deadline = new DrainDeadline(gracePeriod, TimeProvider.System, stop.Token);
                result = await service.RunAsync(path, path, stop.Token, deadline.Token);
                cutShort = deadline.Passed;
            }
            finally
            {
                await metrics.StopAsync(CancellationToken.None);
            }

            foreach (var error in result.ValidationErrors)
            {
                await Console.Error.WriteLineAsync(error.ToString());
            }

            if (result.Record is { } record)
            {
                Console.WriteLine(RunSummary.Describe(record));
            }

            if (cutShort)
            {
                await Console.Error.WriteLineAsync(
                    $"Stopped before the drain finished: the {gracePeriod:c} grace period ({WorkerOptions.SectionName}:{nameof(WorkerOptions.ShutdownGracePeriod)}) ran out, so the images in flight were abandoned; the rows already written were kept, run the same file again to resume.");
            }

            return result.State switch
            {
                RunState.Completed => 0,

                // A stream's stop is its end once the batches in flight are committed.
                RunState.Interrupted when result.Record is { Stream: true } && !cutShort => 0,
                RunState.Interrupted => CommandRunner.Interrupted,
                _ => CommandRunner.Failed,
            };
        });
        return command;
    }
}
