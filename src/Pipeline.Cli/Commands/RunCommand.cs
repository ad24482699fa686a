using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Runs;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline run</c>: one pipeline file end to end, in this process.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The pipeline YAML file (see pipelines/)." }.NotEmpty();
        var command = new Command("run", "Run a pipeline file end to end: featurize (reusing features already in the run folder), train, evaluate, predict; writes run.json and a report.") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var host = RunHost.Build(ConsoleLogging.Terminal);
            var service = host.Services.GetRequiredService<PipelineRunService>();
            var path = parse.GetValue(file)!;
            var result = await service.RunAsync(path, path, cancellationToken);
            foreach (var error in result.ValidationErrors)
            {
                await Console.Error.WriteLineAsync(error.ToString());
            }

            if (result.Record is { } record)
            {
                Console.WriteLine(RunSummary.Describe(record));
            }

            return result.State switch
            {
                RunState.Completed => 0,
                RunState.Interrupted => CommandRunner.Interrupted,
                _ => CommandRunner.Failed,
            };
        });
        return command;
    }
}
