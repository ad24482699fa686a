using Microsoft.Extensions.Logging;

namespace Pipeline.Cli;

/// <summary>Console logging for the one-shot commands: terse lines on standard error, so standard output carries only results.</summary>
internal static class ConsoleLogging
{
    public static ILoggerFactory Create() => LoggerFactory.Create(builder => builder
        .AddSimpleConsole(options =>
        {
            options.SingleLine = true;
            options.TimestampFormat = "HH:mm:ss ";
        })
        .AddConsole(options => options.LogToStandardErrorThreshold = LogLevel.Trace)
        .SetMinimumLevel(LogLevel.Information));
}
