using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Featurization;

namespace Pipeline.Tests.Featurization;

/// <summary>Log lines and the live progress bar on one terminal (a <see cref="StringWriter"/> read back as a screen).</summary>
public sealed class ProgressTerminalTests
{
    [Fact]
    public void WriteLine_WhileABarIsShown_BlanksTheBarAndRedrawsItBelow()
    {
        var screen = new StringWriter();
        var terminal = new ProgressTerminal(screen);

        terminal.ShowBar("██████░░░░ 60/100 images, 0 rejected, 9.5 img/s, ETA 0:04");
        terminal.WriteLine("12:00:01 info: featurize[0] short");
        terminal.ShowBar("███████░░░ 70/100 images");
        terminal.EndBar();

        Assert.Equal(
            ["12:00:01 info: featurize[0] short", "███████░░░ 70/100 images"],
            TerminalScreen.Render(screen.ToString()));
    }

    [Fact]
    public void Write_LineInPieces_KeepsTheBarAwayUntilTheLineEnds()
    {
        var screen = new StringWriter();
        var terminal = new ProgressTerminal(screen);
        terminal.ShowBar("███ 3/10 images");

        terminal.Write("12:00:01 info: ");
        terminal.ShowBar("████ 4/10 images");
        terminal.Write("featurize[0] done\n");
        terminal.EndBar();

        Assert.Equal(["12:00:01 info: featurize[0] done", "████ 4/10 images"], TerminalScreen.Render(screen.ToString()));
    }

    [Fact]
    public void Share_OtherStreamOnTheSameScreen_BlanksTheBarToo()
    {
        var screen = new StringWriter();
        var terminal = new ProgressTerminal(screen);
        var standardOutput = terminal.Share(screen);

        terminal.ShowBar("██████████ 10/10 images");
        standardOutput.WriteLine("read: 10");
        terminal.EndBar();

        Assert.Equal(["read: 10", "██████████ 10/10 images"], TerminalScreen.Render(screen.ToString()));
    }

    [Fact]
    public async Task ProgressReporter_LogLinesFromAnotherThreadWhileRedrawing_NeverShareALineWithTheBar()
    {
        var screen = new StringWriter();
        var terminal = new ProgressTerminal(screen);
        var counters = new FeaturizationCounters { Total = 100 };

        // 30 log lines over 1.5 s against a redraw every 250 ms: several redraws fall between lines.
        await using (ProgressReporter.Start(counters, NullLogger.Instance, terminal))
        {
            for (var i = 0; i < 30; i++)
            {
                counters.AddCommitted(new long[3], rejected: 0);
                terminal.WriteLine($"12:00:{i:00} info: featurize[0] line {i}");
                await Task.Delay(50);
            }
        }

        // Each log line took the bar's place and the bar came back below it: on screen, the 30 lines
        // in order and then the final bar alone.
        var lines = TerminalScreen.Render(screen.ToString()).ToArray();
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"12:00:{i:00} info: featurize[0] line {i}"), lines[..^1]);
        Assert.StartsWith("███████████████████████████░░░ 90/100 images, 0 rejected, ", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProgressReporter_Stream_ShowsLandedFeaturizedRejectedWaitingRateAndLatencyPercentiles()
    {
        var screen = new StringWriter();
        var counters = new FeaturizationCounters();
        await using (ProgressReporter.Start(counters, NullLogger.Instance, new ProgressTerminal(screen), stream: true))
        {
            for (var i = 0; i < 4; i++)
            {
                counters.AddRead();
            }

            // Two images that landed 1 s and 3 s before their commit, and a reject; one image still waits.
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            counters.AddCommitted([now - System.Diagnostics.Stopwatch.Frequency, now - (3 * System.Diagnostics.Stopwatch.Frequency)], rejected: 1);
        }

        var line = TerminalScreen.Render(screen.ToString())[^1];
        Assert.Matches(@"^4 landed, 2 featurized, 1 rejected, 1 waiting, \d+\.\d img/s, latency p50 1\.0\d s, p95 3\.0\d s$", line);
    }
}
