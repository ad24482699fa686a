using System.CommandLine;

namespace Pipeline.Cli;

/// <summary>
/// Runs the parsed command and turns its outcome into the process's exit code: 0 for a completed
/// run, 1 with one sentence on standard error for a fatal error, 130 for a run stopped by Ctrl+C
/// or SIGTERM (the shell convention for SIGINT), 2 for a command line that does not parse.
/// </summary>
internal static class CommandRunner
{
    public const int Failed = 1;
    public const int UsageError = 2;
    public const int Interrupted = 130;

    /// <summary>How long a stopped command (other than <c>run</c> and <c>worker</c>, which read the configured grace period) has to write what is in flight and close its part file.</summary>
    public static readonly TimeSpan StopGracePeriod = TimeSpan.FromSeconds(30);

    public static async Task<int> InvokeAsync(RootCommand root, string[] args)
    {
        var parse = root.Parse(args);
        var configuration = new InvocationConfiguration
        {
            // SIGINT/SIGTERM cancel the command's token and give a stopped run this long to write
            // what is in flight and close its part file. A hosted command takes the signals itself and
            // bounds its stop with a DrainDeadline, which (unlike this wait, after which the process
            // exits under the run) leaves time to commit what is complete.
            ProcessTerminationTimeout = parse.CommandResult.Command is HostedCommand ? null : StopGracePeriod,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            // System.CommandLine prints the parse errors and help but returns 1, which a script could
            // not tell from a fatal error.
            var exitCode = await parse.InvokeAsync(configuration);
            return parse.Errors.Count > 0 ? UsageError : exitCode;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("Stopped: complete part files were kept; run the same command again to resume.");
            return Interrupted;
        }
        catch (Exception error) when (Environment.GetEnvironmentVariable("PIPELINE_DEBUG") is null)
        {
            await Console.Error.WriteLineAsync($"error: {OneSentence(error)}");
            return Failed;
        }
    }

    /// <summary>
    /// The message without what .NET appends to argument exceptions (" (Parameter 'x')" and, for
    /// out-of-range values, a second line "Actual value was …"): the library's messages already
    /// name the key and the value.
    /// </summary>
    internal static string OneSentence(Exception error)
    {
        var message = error.Message;
        if (error is ArgumentException { ParamName: { } name })
        {
            var newline = message.IndexOf('\n', StringComparison.Ordinal);
            if (error is ArgumentOutOfRangeException && newline >= 0)
            {
                message = message[..newline].TrimEnd('\r');
            }

            message = message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal);
        }

        return message;
    }
}
