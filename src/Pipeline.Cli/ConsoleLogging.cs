using Microsoft.Extensions.Logging;
using Pipeline.Featurization;

namespace Pipeline.Cli;

/// <summary>Console logging for the one-shot commands: terse lines on standard error, so standard output carries only results.</summary>
internal static class ConsoleLogging
{
    /// <summary>
    /// Where the progress bar is drawn: standard error when it is a terminal, shared with the log and
    /// standard output (see <see cref="ShareTerminal"/>); null when standard error is redirected.
    /// </summary>
    public static ProgressTerminal? Terminal { get; private set; }

    /// <summary>
    /// Routes standard error, and standard output when it shows on a terminal too, through one
    /// <see cref="ProgressTerminal"/>, so that a log line or a summary written while the bar is drawn
    /// blanks it and the bar comes back below. Call once, before any logger is created: the console
    /// logger takes <see cref="Console.Error"/> and <see cref="Console.Out"/> when it starts.
    /// </summary>
    public static void ShareTerminal()
    {
        if (Console.IsErrorRedirected)
        {
            return;
        }

        var terminal = new ProgressTerminal(Console.Error);
        if (!Console.IsOutputRedirected)
        {
            Console.SetOut(terminal.Share(Console.Out));
        }

        Console.SetError(terminal);
        Terminal = terminal;
    }

    public static ILoggerFactory Create() => LoggerFactory.Create(builder => builder
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss ";
        })
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace)
        .SetMinimumLevel(LogLevel.Information));
}
