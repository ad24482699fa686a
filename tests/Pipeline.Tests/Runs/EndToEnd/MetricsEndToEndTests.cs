using System.Net;
using System.Text;
using Pipeline.Tests.Hosting;

namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// The metrics of real processes: <c>pipeline worker</c> scraped over HTTP after it ran a file, and
/// turning unhealthy when its inbox goes; <c>pipeline run</c> pushing OTLP to a collector (here a
/// listener of the test's that keeps what is posted).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MetricsEndToEndTests : IDisposable
{
    private const int Images = 3 * 4;

    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly TempFolder _dir = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public MetricsEndToEndTests() => DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 3, perClass: Images / 3);

    public void Dispose()
    {
        _http.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task Worker_MetricsPort_ServesTheRunsCountsAndHealthFailsOnceTheInboxIsGone()
    {
        var inbox = _dir.Combine("inbox");
        Directory.CreateDirectory(inbox);
        var staged = _dir.Combine("digits.yaml");
        File.WriteAllText(staged, DigitsSubset.SmallPartsPipeline);
        var port = MetricsEndpointTests.FreePort();

        using var worker = PipelineProcess.Start(_dir.Path, "worker", "--Pipeline:Worker:PollInterval=00:00:00.200", $"--Pipeline:Metrics:Port={port}");
        File.Move(staged, Path.Combine(inbox, "digits.yaml"));
        await Poll.UntilAsync(() => File.Exists(Path.Combine(inbox, "done", "digits.yaml")), PipelineProcess.Patience, Interval, () => ThrowIfExited(worker));

        var metrics = MetricsEndpointTests.Parse(await _http.GetStringAsync(new Uri($"http://127.0.0.1:{port}/metrics")));
        Assert.Equal(Images, metrics["pipeline_images_landed_total"]);
        Assert.Equal(Images, metrics["pipeline_images_featurized_total"]);
        Assert.Equal(0, metrics["pipeline_images_rejected_total"]);
        Assert.Equal(Images, metrics["pipeline_landing_to_commit_duration_seconds_count"]);
        Assert.Equal(0, metrics["pipeline_images_backlog"]);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"))).StatusCode);

        Directory.Delete(inbox, recursive: true);

        using var health = await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/health"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.StartsWith($"inbox {inbox} cannot be read: ", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync(new Uri($"http://127.0.0.1:{port}/alive"))).StatusCode);
        worker.Terminate();
        await worker.WaitForExitAsync();
    }

    [Fact]
    public async Task Worker_MetricsPortTaken_FailsItsStartNamingThePort()
    {
        Directory.CreateDirectory(_dir.Combine("inbox"));
        var port = MetricsEndpointTests.FreePort();
        using var taken = new HttpListener();
        taken.Prefixes.Add($"http://*:{port}/");
        taken.Start();

        using var worker = await PipelineProcess.RunAsync(_dir.Path, "worker", $"--Pipeline:Metrics:Port={port}");

        Assert.True(worker.ExitCode == 1, worker.Output);
        Assert.Contains(worker.ErrorLines, line => line.StartsWith($"error: Pipeline:Metrics:Port {port} cannot be listened on: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_OtlpEndpoint_PushesThePipelineMetersInstruments()
    {
        var port = MetricsEndpointTests.FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var posts = CollectAsync(collector);
        File.WriteAllText(_dir.Combine("digits.yaml"), DigitsSubset.SmallPartsPipeline);
        File.WriteAllText(_dir.Combine("appsettings.json"), $$"""
            { "Pipeline": { "Metrics": { "OtlpEndpoint": "http://127.0.0.1:{{port}}/v1/metrics", "OtlpProtocol": "http/protobuf", "ExportInterval": "00:00:00.500" } } }
            """);

        using var run = await PipelineProcess.RunAsync(_dir.Path, "run", "digits.yaml");

        Assert.True(run.ExitCode == 0, run.Output);
        collector.Stop();
        var bodies = await posts;

        // OTLP/protobuf carries names as UTF-8 strings; the provider's disposal at exit pushes the last values.
        Assert.NotEmpty(bodies);
        Assert.All(bodies, body => Assert.Equal("/v1/metrics", body.Path));
        var text = Encoding.UTF8.GetString([.. bodies.SelectMany(b => b.Content)]);
        Assert.Contains("pipeline.images.featurized", text, StringComparison.Ordinal);
        Assert.Contains("pipeline.landing_to_commit.duration", text, StringComparison.Ordinal);
    }

    /// <summary>Every request the collector gets, answered 200 as an OTLP collector does, until it is stopped.</summary>
    private static async Task<List<(string Path, byte[] Content)>> CollectAsync(HttpListener collector)
    {
        var bodies = new List<(string, byte[])>();
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await collector.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return bodies;
            }

            using var content = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(content);
            bodies.Add((context.Request.Url!.AbsolutePath, content.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    private static void ThrowIfExited(PipelineProcess process)
    {
        if (process.HasExited)
        {
            throw new InvalidOperationException($"the process exited with {process.ExitCode}: {process.Output}");
        }
    }
}
