using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Pipeline.Featurization;

/// <summary>
/// Shows a featurization run's progress: a live bar redrawn in place on a terminal, or a log line
/// every <see cref="LogInterval"/> when the output is redirected (a service's journal, a CI log),
/// where a redrawn bar would only be noise. A stream has no end to show a bar towards: its line is
/// a status (landed, featurized, rejected, waiting, img/s over the last <see cref="RateWindow"/>,
/// landing-to-commit latency p50/p95).
/// </summary>
internal sealed class ProgressReporter : IAsyncDisposable
{
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(10);

    private readonly FeaturizationCounters _counters;
    private readonly ILogger _logger;
    private readonly ProgressTerminal? _terminal;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly bool _stream;

    /// <summary>A stream's images done per second over the last <see cref="RateWindow"/>.</summary>
    private readonly RecentRate _rate = new(RateWindow);

    private ProgressReporter(FeaturizationCounters counters, ILogger logger, TextWriter? terminal, bool stream)
    {
        _counters = counters;
        _stream = stream;
        _logger = logger;
        _terminal = terminal is null ? null : terminal as ProgressTerminal ?? new ProgressTerminal(terminal);
        _rate.Add(TimeSpan.Zero, counters.Featurized + counters.Rejected);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>
    /// Starts reporting; a bar on <paramref name="terminal"/> when given, log lines otherwise. Pass
    /// the <see cref="ProgressTerminal"/> the log writes to, so that log lines never tear the bar.
    /// </summary>
    public static ProgressReporter Start(FeaturizationCounters counters, ILogger logger, TextWriter? terminal, bool stream = false) =>
        new(counters, logger, terminal, stream);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        if (_terminal is not null)
        {
            Draw(_terminal);
            _terminal.EndBar();
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(_terminal is null ? LogInterval : RedrawInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (_terminal is not null)
                {
                    Draw(_terminal);
                }
                else
                {
                    Log();
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private void Draw(ProgressTerminal terminal)
    {
        if (_stream)
        {
            terminal.ShowBar(StreamStatus());
            return;
        }

        var snapshot = Snapshot.Take(_counters, _clock.Elapsed);
        const int width = 30;
        var filled = snapshot.Fraction is { } f ? (int)Math.Round(f * width) : 0;
        var bar = snapshot.Fraction is null
            ? new string('·', width)
            : new string('█', filled) + new string('░', width - filled);
        var total = _counters.Total is { } t ? $"/{t}" : string.Empty;
        terminal.ShowBar(
            $"{bar} {snapshot.Done}{total} images, {snapshot.Rejected} rejected, {snapshot.Rate:F1} img/s, ETA {FormatEta(snapshot.Eta)}");
    }

    private void Log()
    {
        if (_stream)
        {
            _logger.LogInformation("Stream: {Status}", StreamStatus());
            return;
        }

        var snapshot = Snapshot.Take(_counters, _clock.Elapsed);
        _logger.LogInformation(
            "Featurized {Done} of {Total} images, {Rejected} rejected, {Rate:F1} img/s, ETA {Eta}",
            snapshot.Done,
            _counters.Total?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?",
            snapshot.Rejected,
            snapshot.Rate,
            FormatEta(snapshot.Eta));
    }

    private string StreamStatus()
    {
        var rate = _rate.Add(_clock.Elapsed, _counters.Featurized + _counters.Rejected);
        var latency = _counters.LatencyPercentiles() is { } p
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"latency p50 {p.P50:F2} s, p95 {p.P95:F2} s")
            : "latency p50 -, p95 -";
        var cached = _counters.Cached > 0 ? $" ({_counters.Cached} already stored)" : string.Empty;
        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{_counters.Read} landed{cached}, {_counters.Featurized} featurized, {_counters.Rejected} rejected, {_counters.Backlog} waiting, {rate:F1} img/s, {latency}");
    }

    private static string FormatEta(TimeSpan? eta) =>
        eta is { } e ? e.ToString(e.TotalHours >= 1 ? @"h\:mm\:ss" : @"m\:ss", System.Globalization.CultureInfo.InvariantCulture) : "?";

    private readonly record struct Snapshot(long Done, long Rejected, double Rate, double? Fraction, TimeSpan? Eta)
    {
        public static Snapshot Take(FeaturizationCounters counters, TimeSpan elapsed)
        {
            var featurized = counters.Featurized;
            var rejected = counters.Rejected;
            var done = featurized + rejected + counters.Cached;
            var rate = elapsed.TotalSeconds > 0 ? (featurized + rejected) / elapsed.TotalSeconds : 0;
            double? fraction = counters.Total is { } total && total > 0 ? Math.Min(1.0, (double)done / total) : null;
            TimeSpan? eta = counters.Total is { } all && rate > 0 ? TimeSpan.FromSeconds(Math.Max(0, all - done) / rate) : null;
            return new Snapshot(done, rejected, rate, fraction, eta);
        }
    }
}
