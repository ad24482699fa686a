using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Pipeline.Runs;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline validate</c>: checks a pipeline file and does nothing else.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("file") { Description = "The pipeline YAML file." }.NotEmpty();
        var command = new Command("validate", "Validate a pipeline file (keys, types, ranges, paths) without running it; every error names file:line:column and the key.") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using var host = RunHost.Build();
            var service = host.Services.GetRequiredService<PipelineRunService>();
            var path = parse.GetValue(file)!;
            var result = await service.ValidateAsync(path, path, cancellationToken);
            foreach (var error in result.Errors)
            {
                await Console.Error.WriteLineAsync(error.ToString());
            }

            if (!result.IsValid)
            {
                return CommandRunner.Failed;
            }

            Console.WriteLine($"{path}: valid (run '{result.Definition!.Name}' → {result.Definition.OutputPath})");
            return 0;
        });
        return command;
    }
}
