using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;
using Pipeline.Featurization;

namespace Pipeline.Hosting;

/// <summary>
/// The instruments of one <see cref="PipelineMeter"/>, aggregated from the moment this is made and
/// written as Prometheus text (exposition format 0.0.4): counters as <c>_total</c>, histograms as
/// cumulative <c>_bucket</c>s on the instrument's advised boundaries with <c>_sum</c> and <c>_count</c>,
/// gauges observed at each scrape. Names follow OpenTelemetry's Prometheus mapping: dots become
/// underscores and the unit <c>s</c> adds <c>_seconds</c>, so <c>pipeline.landing_to_commit.duration</c>
/// is <c>pipeline_landing_to_commit_duration_seconds</c>.
/// </summary>
/// <remarks>
/// Our own, over a <see cref="MeterListener"/>, rather than OpenTelemetry.Exporter.Prometheus.HttpListener:
/// that package is a beta (1.20.1-beta.1) its authors call meant for the dev inner loop with no plan to
/// make it production ready, and exposing one meter of seven instruments without labels takes this
/// page. The instruments carry no tags, so each is one series and nothing here grows with time.
/// </remarks>
internal sealed class PrometheusExposition : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<Series> _series = [];

    public PrometheusExposition(PipelineMeter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter != meter.Meter)
            {
                return;
            }

            var series = new Series(instrument);
            lock (_gate)
            {
                _series.Add(series);
            }

            listener.EnableMeasurementEvents(instrument, series);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, state) => ((Series)state!).Record(value));
        _listener.SetMeasurementEventCallback<double>((_, value, _, state) => ((Series)state!).Record(value));
        _listener.Start();
    }

    /// <summary>The content type of <see cref="Write"/>'s text.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Every instrument's current values as Prometheus text.</summary>
    public string Write()
    {
        // Gauges report through the callback above, on this thread.
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        lock (_gate)
        {
            foreach (var series in _series)
            {
                series.Write(text);
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>One instrument's aggregate; a lock per series, as measurements come from the graph's threads.</summary>
    private sealed class Series
    {
        private readonly Instrument _instrument;
        private readonly string _name;
        private readonly string _type;
        private readonly double[] _bounds;
        private readonly long[] _buckets;
        private readonly Lock _gate = new();
        private double _sum;
        private long _count;
        private double _last;

        public Series(Instrument instrument)
        {
            _instrument = instrument;
            _bounds = instrument switch
            {
                Histogram<long> h => [.. h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b) ?? []],
                Histogram<double> h => [.. h.Advice?.HistogramBucketBoundaries ?? []],
                _ => [],
            };
            _buckets = new long[_bounds.Length + 1];
            _type = instrument switch
            {
                Counter<long> or Counter<double> => "counter",
                Histogram<long> or Histogram<double> => "histogram",
                _ => "gauge",
            };
            _name = PrometheusName(instrument, _type);
        }

        public void Record(double value)
        {
            lock (_gate)
            {
                switch (_type)
                {
                    case "counter":
                        _sum += value;
                        break;
                    case "histogram":
                        var bucket = Array.FindIndex(_bounds, b => value <= b);
                        _buckets[bucket < 0 ? _bounds.Length : bucket]++;
                        _sum += value;
                        _count++;
                        break;
                    default:
                        _last = value;
                        break;
                }
            }
        }

        public void Write(StringBuilder text)
        {
            var invariant = CultureInfo.InvariantCulture;
            text.Append(invariant, $"# HELP {_name} {_instrument.Description}\n");
            text.Append(invariant, $"# TYPE {_name} {_type}\n");
            lock (_gate)
            {
                switch (_type)
                {
                    case "counter":
                        text.Append(invariant, $"{_name}_total {Number(_sum)}\n");
                        break;
                    case "histogram":
                        long cumulative = 0;
                        for (var i = 0; i < _bounds.Length; i++)
                        {
                            cumulative += _buckets[i];
                            text.Append(invariant, $"{_name}_bucket{{le=\"{Number(_bounds[i])}\"}} {cumulative}\n");
                        }

                        text.Append(invariant, $"{_name}_bucket{{le=\"+Inf\"}} {_count}\n");
                        text.Append(invariant, $"{_name}_sum {Number(_sum)}\n");
                        text.Append(invariant, $"{_name}_count {_count}\n");
                        break;
                    default:
                        text.Append(invariant, $"{_name} {Number(_last)}\n");
                        break;
                }
            }
        }

        private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

        /// <summary>OpenTelemetry's Prometheus name: a counter's <c>_total</c> is added when written.</summary>
        private static string PrometheusName(Instrument instrument, string type)
        {
            var name = instrument.Name.Replace('.', '_');
            var unit = instrument.Unit switch
            {
                "s" => "_seconds",
                "{image}/s" => "_per_second",
                _ => string.Empty,
            };
            return type == "counter" || !name.EndsWith(unit, StringComparison.Ordinal) ? name + unit : name;
        }
    }
}
