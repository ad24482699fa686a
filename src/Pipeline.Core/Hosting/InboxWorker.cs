using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pipeline.Runs;

namespace Pipeline.Hosting;

/// <summary>
/// <c>pipeline worker</c>: watches the inbox for pipeline files, claims each atomically, runs up to
/// <see cref="WorkerOptions.MaxConcurrentRuns"/> at once, and files each under done/ or failed/. On stop
/// it claims nothing new, cancels in-flight runs (the runner flushes, run.json says interrupted) and puts
/// their files back in the inbox, where the next start resumes them. The grace period
/// (<see cref="WorkerOptions.ShutdownGracePeriod"/>) bounds that drain through a <see cref="DrainDeadline"/>:
/// a run still draining when it passes drops its batch in flight and commits what is complete.
/// </summary>
internal sealed class InboxWorker : BackgroundService
{
    private readonly PipelineRunService _runs;
    private readonly WorkerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<InboxWorker> _logger;
    private readonly InboxFolder _inbox;
    private readonly ConcurrentDictionary<InboxClaim, byte> _inFlight = new();

    /// <summary>Creates the worker; <paramref name="environment"/> anchors a relative inbox path.</summary>
    public InboxWorker(PipelineRunService runs, IOptions<WorkerOptions> options, IHostEnvironment environment, TimeProvider time, ILogger<InboxWorker> logger)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(environment);
        _runs = runs;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _inbox = new InboxFolder(Path.GetFullPath(_options.Inbox, environment.ContentRootPath), _options.WorkerId, time);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The inbox folders are made here, not in <see cref="ExecuteAsync"/>: since .NET 10 that runs on the
    /// thread pool after start returns (and not at all when stop follows at once), while an unusable inbox
    /// should fail the start itself.
    /// </remarks>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _inbox.Create();
        return base.StartAsync(cancellationToken);
    }

    /// <summary>True once a stop's drain ran past its deadline, so in-flight work was abandoned (the CLI then exits non-zero).</summary>
    public bool StoppedBeforeDrainFinished { get; private set; }

    /// <inheritdoc />
    /// <remarks>
    /// Waits for <see cref="ExecuteAsync"/> however long the host allows: the host's token fires at the end
    /// of the grace period, and returning then would let the process exit under runs still closing their
    /// parts, writing run.json and releasing their claims. The drain deadline has already cut the drain short
    /// by then, so what is left to wait for is only that commit.
    /// </remarks>
    public override Task StopAsync(CancellationToken cancellationToken) => base.StopAsync(CancellationToken.None);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _logger.LogInformation("Worker {WorkerId} watches {Inbox} with up to {MaxConcurrentRuns} concurrent runs",
            _options.WorkerId, _inbox.Root, _options.MaxConcurrentRuns);

        var resumable = new Queue<InboxClaim>(_inbox.OwnClaims());
        if (resumable.Count > 0)
        {
            _logger.LogInformation("Worker {WorkerId} resumes {Count} run(s) claimed before its restart", _options.WorkerId, resumable.Count);
        }

        using var slots = new SemaphoreSlim(_options.MaxConcurrentRuns, _options.MaxConcurrentRuns);
        using var deadline = new DrainDeadline(_options.ShutdownGracePeriod, _time, stoppingToken);
        var runs = new List<Task>();
        var heartbeat = RenewLeasesAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken).ConfigureAwait(false);
                var claim = NextClaim(resumable);
                if (claim is null)
                {
                    slots.Release();
                    await Task.Delay(_options.PollInterval, _time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                // Registered before the run starts so that the lease heartbeat covers it from the outset.
                _inFlight[claim] = 0;
                runs.RemoveAll(r => r.IsCompleted);
                runs.Add(RunClaimAsync(claim, slots, stoppingToken, deadline.Token));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stop requested: claim nothing more; in-flight runs see the same token.
        }

        await Task.WhenAll(runs).ConfigureAwait(false);
        StoppedBeforeDrainFinished = deadline.Passed;
        await heartbeat.ConfigureAwait(false);
        if (StoppedBeforeDrainFinished)
        {
            _logger.LogWarning(
                "Worker {WorkerId} stopped before the drain finished: after {Budget} of its {GracePeriod} grace period the images in flight were abandoned and the rows already written kept",
                _options.WorkerId,
                deadline.Budget,
                deadline.GracePeriod);
        }
        else
        {
            _logger.LogInformation("Worker {WorkerId} stopped", _options.WorkerId);
        }
    }

    private InboxClaim? NextClaim(Queue<InboxClaim> resumable)
    {
        try
        {
            if (resumable.TryDequeue(out var own))
            {
                _inbox.Renew(own);
                return own;
            }

            return _inbox.TryTakeOverExpired(_options.ClaimLease) ?? _inbox.TryClaimNext();
        }
        catch (IOException e)
        {
            // A vanished or unreadable inbox is retried at the next poll rather than stopping the service.
            _logger.LogError(e, "Worker {WorkerId} cannot read inbox {Inbox}", _options.WorkerId, _inbox.Root);
            return null;
        }
    }

    private async Task RunClaimAsync(InboxClaim claim, SemaphoreSlim slots, CancellationToken stoppingToken, CancellationToken abandonToken)
    {
        // Off the claim loop at once, so that a runner that works synchronously before its first await
        // does not hold up claiming for the other slots.
        await Task.Yield();
        var display = Path.Combine(Path.GetFileName(_inbox.Root), claim.FileName);
        try
        {
            _logger.LogInformation("Worker {WorkerId} claimed {PipelineFile}", _options.WorkerId, display);
            var result = await _runs.RunAsync(claim.Path, display, stoppingToken, abandonToken).ConfigureAwait(false);
            if (result.State == RunState.Interrupted)
            {
                var released = _inbox.Release(claim);
                _logger.LogInformation("Worker {WorkerId} interrupted {PipelineFile}; {Where}", _options.WorkerId, display,
                    released ? "returned to the inbox" : "kept claimed for the next start");
            }
            else
            {
                var target = await _inbox.FinishAsync(claim, result).ConfigureAwait(false);
                _logger.LogInformation("Worker {WorkerId} finished {PipelineFile} as {State}: {Target}", _options.WorkerId, display, result.State, target);
            }
        }
        catch (Exception e)
        {
            // Whatever broke (run.json unwritable, disk full) fails this file only; the worker goes on.
            _logger.LogError(e, "Worker {WorkerId} failed {PipelineFile}", _options.WorkerId, display);
            await TryFailAsync(claim, e).ConfigureAwait(false);
        }
        finally
        {
            _inFlight.TryRemove(claim, out _);
            slots.Release();
        }
    }

    private async Task TryFailAsync(InboxClaim claim, Exception error)
    {
        try
        {
            await _inbox.FailAsync(claim, error.Message).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            _logger.LogError(e, "Worker {WorkerId} could not file {Claim} under failed/", _options.WorkerId, claim.Path);
        }
    }

    private async Task RenewLeasesAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ClaimLease / 4, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var claim in _inFlight.Keys.Where(c => !_inbox.Renew(c)))
                {
                    _logger.LogWarning("Worker {WorkerId} lost its claim {Claim}: another worker took it over after the lease expired", _options.WorkerId, claim.Path);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; in-flight runs end by themselves and release or file their claims.
        }
    }
}
