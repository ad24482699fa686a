using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Featurization;
using Pipeline.Hosting;
using Pipeline.Tests.Featurization;

namespace Pipeline.Tests.Hosting;

/// <summary>
/// The metrics and health endpoint as a scraper and a probe see it: a real <see cref="HttpClient"/> to
/// the real listener on a free port, over a stream of the real ResNet18 fed by a <see cref="LandingSource"/>.
/// Each test has its own <see cref="PipelineMeter"/>, so runs of other tests in this process do not count.
/// </summary>
public sealed class MetricsEndpointTests : IDisposable
{
    /// <summary>An upper bound for a loaded machine, never a timing assertion.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    private readonly TempFolder _landing = new();
    private readonly TempFolder _output = new();
    private readonly PipelineMeter _meter = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public void Dispose()
    {
        _http.Dispose();
        _meter.Dispose();
        _landing.Dispose();
        _output.Dispose();
    }

    [Fact]
    public async Task Metrics_AfterASmallStream_ShowEachCountAndOneLatencyPerFeaturizedImage()
    {
        using var endpoint = await StartEndpointAsync();
        var source = new LandingSource("a", "b");
        var counters = new FeaturizationCounters(_meter);
        using var stop = new CancellationTokenSource();
        var run = StartStream(source, counters, stop.Token);
        for (var seed = 0; seed < 5; seed++)
        {
            source.Land(_landing.Path, seed % 2 == 0 ? "a" : "b", seed);
        }

        var corrupt = Path.Combine(_landing.Path, "b", "corrupt.png");
        File.WriteAllBytes(corrupt, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        source.Land(corrupt, "b");
        await Poll.UntilAsync(() => counters.Featurized + counters.Rejected == 6, Patience, Interval, () => ThrowIfEnded(run));

        var metrics = Parse(await _http.GetStringAsync(Url(endpoint, "/metrics")));

        Assert.Equal(6, metrics["pipeline_images_landed_total"]);
        Assert.Equal(0, metrics["pipeline_images_skipped_total"]);
        Assert.Equal(5, metrics["pipeline_images_featurized_total"]);
        Assert.Equal(1, metrics["pipeline_images_rejected_total"]);
        Assert.Equal(0, metrics["pipeline_images_backlog"]);
        Assert.Equal(5, metrics["pipeline_landing_to_commit_duration_seconds_count"]);
        Assert.Equal(5, metrics["pipeline_landing_to_commit_duration_seconds_bucket{le=\"+Inf\"}"]);
        Assert.InRange(metrics["pipeline_landing_to_commit_duration_seconds_sum"], 5 * 0.0, 5 * Patience.TotalSeconds);

        // Every image is in exactly one committed batch: the batch sizes add up to the images.
        Assert.Equal(6, metrics["pipeline_microbatch_size_sum"]);
        Assert.True(metrics["pipeline_images_rate_per_second"] > 0);

        await stop.CancelAsync();
        await run.WaitAsync(Patience);
    }

    [Fact]
    public async Task Health_LandingFolderRemoved_TurnsUnhealthyWhileStillAlive()
    {
        using var endpoint = await StartEndpointAsync();
        var source = new LandingSource("a");
        using var stop = new CancellationTokenSource();
        var run = StartStream(source, new FeaturizationCounters(_meter), stop.Token);
        await source.Reading.WaitAsync(Patience);
        Assert.Equal((HttpStatusCode.OK, "healthy\n"), await GetAsync(endpoint, "/health"));

        Directory.Delete(_landing.Path, recursive: true);

        var (status, body) = await GetAsync(endpoint, "/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith($"landing folder {_landing.Path} of the stream into {_output.Path} cannot be read: ", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(endpoint, "/alive")).Status);

        await stop.CancelAsync();
        await run.WaitAsync(Patience);
    }

    [Fact]
    public async Task Health_InboxReplacedByAFile_TurnsUnhealthy()
    {
        var inbox = _output.Combine("inbox");
        Directory.CreateDirectory(inbox);
        using var endpoint = await StartEndpointAsync(inbox);
        Assert.Equal((HttpStatusCode.OK, "healthy\n"), await GetAsync(endpoint, "/health"));

        // Tests run as root, whom permissions do not stop: a file where the folder was cannot be listed by anyone.
        Directory.Delete(inbox);
        File.WriteAllText(inbox, "not a folder");

        var (status, body) = await GetAsync(endpoint, "/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith($"inbox {inbox} cannot be read: ", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Alive_ImagesWaitingAndNoCommitForStuckAfter_FailsUntilABatchCommits()
    {
        var stuckAfter = TimeSpan.FromMilliseconds(200);
        using var endpoint = await StartEndpointAsync(stuckAfter: stuckAfter);
        var counters = new FeaturizationCounters(_meter);
        using var tracked = _meter.Track(new FeaturizationRun(_output.Path, counters, new StreamOptions()));

        counters.AddRead();
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(endpoint, "/alive")).Status);
        await Poll.UntilAsync(() => counters.SinceProgress > stuckAfter, Patience, Interval);

        var (status, body) = await GetAsync(endpoint, "/alive");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith($"the run into {_output.Path} is stuck: 1 images waiting and nothing committed for ", body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await GetAsync(endpoint, "/health")).Status);

        counters.AddCommitted([System.Diagnostics.Stopwatch.GetTimestamp()], rejected: 0);
        Assert.Equal((HttpStatusCode.OK, "healthy\n"), await GetAsync(endpoint, "/alive"));
    }

    /// <summary>A port no one listens on now; the kernel hands out ephemeral ports in turn, so it stays free long enough.</summary>
    internal static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>The samples of a Prometheus text page, keyed by name with labels as written.</summary>
    internal static Dictionary<string, double> Parse(string text) =>
        text.Split('\n')
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split(' '))
            .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], CultureInfo.InvariantCulture));

    private static Uri Url(MetricsEndpoint endpoint, string path) => new($"http://127.0.0.1:{endpoint.Port}{path}");

    private async Task<MetricsEndpoint> StartEndpointAsync(string? inbox = null, TimeSpan? stuckAfter = null)
    {
        var options = new MetricsOptions { Port = FreePort(), StuckAfter = stuckAfter ?? new MetricsOptions().StuckAfter };
        var endpoint = new MetricsEndpoint(options, _meter, inbox, NullLogger.Instance);
        await endpoint.StartAsync(CancellationToken.None);
        return endpoint;
    }

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(MetricsEndpoint endpoint, string path)
    {
        using var response = await _http.GetAsync(Url(endpoint, path));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private Task<FeaturizationSummary> StartStream(LandingSource source, FeaturizationCounters counters, CancellationToken stop)
    {
        var stream = new StreamOptions { MaxBatchDelay = TimeSpan.FromMilliseconds(300), LandingFolders = [_landing.Path] };
        var options = TestFeaturization.Options with { Stream = stream };
        return Task.Run(() => FeaturizationJob.RunAsync(source, TestFeaturization.ResNet18, _output.Path, options, counters, NullLogger.Instance, stop));
    }

    private static void ThrowIfEnded(Task run)
    {
        if (run.IsCompleted)
        {
            run.GetAwaiter().GetResult();
            throw new InvalidOperationException("the stream ended before the test's images were committed");
        }
    }
}
