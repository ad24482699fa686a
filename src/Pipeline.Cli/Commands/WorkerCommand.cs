using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Pipeline.Hosting;

namespace Pipeline.Cli.Commands;

/// <summary><c>pipeline worker</c>: the long-lived service that runs pipeline files dropped into its inbox.</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var command = new HostedCommand(
            "worker",
            "Run as a service: watch the inbox (Pipeline:Worker:Inbox) for pipeline files, run them, move each to done/ or failed/. " +
            "Configuration: appsettings.json, Pipeline__* environment variables, --Pipeline:Key=value arguments. SIGTERM/Ctrl+C stop it gracefully.");
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async parse =>
        {
            string[] args = [.. parse.UnmatchedTokens];
            var errors = CommandLineSettings.Errors(args);
            if (errors.Count > 0)
            {
                foreach (var error in errors)
                {
                    await Console.Error.WriteLineAsync($"error: {error}");
                }

                return CommandRunner.UsageError;
            }

            // The host owns SIGTERM/Ctrl+C for a service: it stops claiming, lets runs flush within the
            // grace period, and only then exits.
            using var host = PipelineHost.BuildWorker(args);

            // Resolved before the run: RunAsync disposes the host's services when it returns.
            var worker = host.Services.GetServices<IHostedService>().OfType<InboxWorker>().Single();
            await host.RunAsync();
            return worker.StoppedBeforeDrainFinished ? CommandRunner.Interrupted : 0;
        });
        return command;
    }
}
