using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Pipeline.Featurization;

/// <summary>
/// The <see cref="Meter"/> <c>Pipeline</c> with its instruments, named in OpenTelemetry style, and the
/// featurization runs now in progress, which its gauges and the health endpoint read. Every
/// featurization run (batch or stream, CLI or worker) records on <see cref="Shared"/> unless its
/// counters name another; without a listener (the metrics endpoint, an OTLP exporter) a recording
/// costs a check of a flag.
/// </summary>
/// <remarks>
/// An instance rather than statics so that a test (several share one process) observes its own runs
/// only; a process has one, <see cref="Shared"/>.
/// </remarks>
internal sealed class PipelineMeter : IDisposable
{
    /// <summary>The meter's name, which an OpenTelemetry <c>AddMeter</c> selects.</summary>
    public const string Name = "Pipeline";

    private readonly ConcurrentDictionary<FeaturizationRun, byte> _runs = new();

    public PipelineMeter()
    {
        Meter = new Meter(Name);
        Landed = Meter.CreateCounter<long>("pipeline.images.landed", "{image}", "Images read from the sources, those already in the feature store included.");
        Skipped = Meter.CreateCounter<long>("pipeline.images.skipped", "{image}", "Images read but skipped because a complete part already holds them.");
        Featurized = Meter.CreateCounter<long>("pipeline.images.featurized", "{image}", "Images whose features were written to every sink.");
        Rejected = Meter.CreateCounter<long>("pipeline.images.rejected", "{image}", "Images rejected, with their reject written.");
        BatchSize = Meter.CreateHistogram(
            "pipeline.microbatch.size",
            "{image}",
            "Images per committed batch, rejects included.",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096] });

        // Buckets dense around the default maxDelaySeconds (2 s) plus a CPU batch's inference, where a stream that keeps up lies.
        LandingToCommit = Meter.CreateHistogram(
            "pipeline.landing_to_commit.duration",
            "s",
            "Seconds from when an image landed (its file arrived in a watched folder; for other sources, when the source yielded it) to when the batch holding its row was committed.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.05, 0.1, 0.25, 0.5, 1, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 30, 60, 120] });
        Meter.CreateObservableGauge("pipeline.images.backlog", () => _runs.Keys.Sum(r => r.Counters.Backlog), "{image}", "Images read but not yet committed, over the runs in progress.");
        Meter.CreateObservableGauge("pipeline.images.rate", () => _runs.Keys.Sum(r => r.Counters.Rate), "{image}/s", "Images featurized or rejected per second over about the last minute, over the runs in progress.");
    }

    /// <summary>The process's meter.</summary>
    public static PipelineMeter Shared { get; } = new();

    public Meter Meter { get; }

    /// <summary>Images the sources yielded, those already in the store included.</summary>
    public Counter<long> Landed { get; }

    /// <summary>Images skipped because complete parts already hold them.</summary>
    public Counter<long> Skipped { get; }

    /// <summary>Images whose features were committed.</summary>
    public Counter<long> Featurized { get; }

    /// <summary>Images rejected (decode, size or time limit), their reject written.</summary>
    public Counter<long> Rejected { get; }

    /// <summary>Images per committed (micro-)batch, rejects included.</summary>
    public Histogram<long> BatchSize { get; }

    /// <summary>Seconds from when an image landed (or was yielded, where the source knows no arrival) to when the batch holding its row was committed.</summary>
    public Histogram<double> LandingToCommit { get; }

    /// <summary>The runs in progress.</summary>
    public IReadOnlyCollection<FeaturizationRun> Active => [.. _runs.Keys];

    /// <summary>Adds a run to <see cref="Active"/> until the returned handle is disposed.</summary>
    public IDisposable Track(FeaturizationRun run)
    {
        _runs[run] = 0;
        return new Untrack(_runs, run);
    }

    public void Dispose() => Meter.Dispose();

    private sealed class Untrack(ConcurrentDictionary<FeaturizationRun, byte> runs, FeaturizationRun run) : IDisposable
    {
        public void Dispose() => runs.TryRemove(run, out _);
    }
}
