using System.Net;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Pipeline.Featurization;

namespace Pipeline.Hosting;

/// <summary>
/// The HTTP listener on <see cref="MetricsOptions.Port"/> (every interface) serving <c>/metrics</c>
/// (<see cref="PrometheusExposition"/>), <c>/health</c> (readiness: 200 <c>healthy</c>, or 503 with one
/// line per <see cref="HealthCheck.Problems"/>) and <c>/alive</c> (liveness: 503 only for a stuck run).
/// Does nothing when the port is 0. A hosted service in the worker; <c>pipeline run</c> starts and stops
/// it itself.
/// </summary>
internal sealed class MetricsEndpoint : IHostedService, IDisposable
{
    private readonly MetricsOptions _options;
    private readonly PipelineMeter _meter;
    private readonly HealthCheck _health;
    private readonly ILogger _logger;
    private HttpListener? _listener;
    private PrometheusExposition? _exposition;
    private Task _loop = Task.CompletedTask;

    /// <param name="inbox">The worker's inbox, which must stay readable; null for <c>pipeline run</c>.</param>
    public MetricsEndpoint(MetricsOptions options, PipelineMeter meter, string? inbox, ILogger logger)
    {
        _options = options;
        _meter = meter;
        _health = new HealthCheck(meter, inbox, options.StuckAfter);
        _logger = logger;
    }

    /// <summary>The port listened on; 0 when off.</summary>
    public int Port => _options.Port;

    /// <summary>Starts listening; a port another process holds fails the start with an <see cref="HttpListenerException"/>.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Port == 0)
        {
            return Task.CompletedTask;
        }

        _exposition = new PrometheusExposition(_meter);
        _listener = new HttpListener();
        _listener.Prefixes.Add($"http://*:{_options.Port}/");
        try
        {
            _listener.Start();
        }
        catch (HttpListenerException e)
        {
            throw new HttpListenerException(e.ErrorCode, $"{MetricsOptions.SectionName}:Port {_options.Port} cannot be listened on: {e.Message}");
        }

        _loop = ServeAsync(_listener);
        _logger.LogInformation("Metrics on http://*:{Port}/metrics, health on /health and /alive", _options.Port);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _listener?.Stop();
        await _loop.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _listener?.Close();
        _exposition?.Dispose();
    }

    private async Task ServeAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                // Stopped.
                return;
            }

            try
            {
                Respond(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // The scraper hung up; the next request is served as usual.
                _logger.LogDebug(e, "A metrics request failed: {Reason}", e.Message);
            }
            catch (Exception e)
            {
                // Whatever one request trips on, the probes must go on being answered: a listener that
                // stopped serving would fail the liveness probe and get a healthy worker restarted.
                _logger.LogWarning(e, "Answering a request to {Path} failed: {Reason}", context.Request.Url?.AbsolutePath, e.Message);
                TryFail(context);
            }
        }
    }

    /// <summary>Answers 500 to a request whose answer failed part-way, if its connection still takes one.</summary>
    private static void TryFail(HttpListenerContext context)
    {
        try
        {
            context.Response.StatusCode = 500;
            context.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // Already answered or gone: nothing more to tell the scraper.
        }
    }

    private void Respond(HttpListenerContext context)
    {
        var (status, body, type) = context.Request.Url?.AbsolutePath switch
        {
            "/metrics" => (200, _exposition!.Write(), PrometheusExposition.ContentType),
            "/health" => Report(_health.Problems()),
            "/alive" => Report(_health.Stuck()),
            _ => (404, "not found: /metrics, /health or /alive\n", "text/plain; charset=utf-8"),
        };
        if (status == 503)
        {
            _logger.LogWarning("Health check failed: {Problems}", body.TrimEnd());
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        using var response = context.Response;
        response.StatusCode = status;
        response.ContentType = type;
        response.ContentLength64 = bytes.Length;
        response.OutputStream.Write(bytes);
    }

    private static (int Status, string Body, string Type) Report(IReadOnlyList<string> problems) =>
        problems.Count == 0
            ? (200, "healthy\n", "text/plain; charset=utf-8")
            : (503, string.Join('\n', problems) + "\n", "text/plain; charset=utf-8");
}
