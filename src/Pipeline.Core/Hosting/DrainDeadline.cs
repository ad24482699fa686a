namespace Pipeline.Hosting;

/// <summary>
/// Turns a shutdown grace period into a deadline for the drain of a stop: once the stop token fires,
/// in-flight work may finish for <see cref="Budget"/>, after which <see cref="Token"/> fires and the work
/// still in flight (an inference batch) is abandoned so that what is complete can still be committed
/// (the open part closed, run.json written, the claim released) before the grace period ends.
/// </summary>
/// <remarks>
/// The same idiom as <c>IHostedService.StopAsync(CancellationToken)</c>, whose token says "the stop is no
/// longer graceful", but fired before the grace period ends rather than at its end: a host that waits out
/// the whole period and only then gives up leaves nothing for the commit, and the process exits under it.
/// Dispose once the drain has finished, so that a drain that met its deadline is never reported late.
/// </remarks>
internal sealed class DrainDeadline : IDisposable
{
    /// <summary>The most a grace period reserves for the commit; a quarter of it when that is less.</summary>
    public static readonly TimeSpan MaxCommitReserve = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _abandon;
    private readonly CancellationTokenRegistration _arm;

    /// <summary>Arms the deadline for when <paramref name="stopping"/> fires.</summary>
    /// <param name="gracePeriod">How long a stop may take in all.</param>
    /// <param name="time">The clock the deadline runs on.</param>
    /// <param name="stopping">Fires when the stop is requested.</param>
    public DrainDeadline(TimeSpan gracePeriod, TimeProvider time, CancellationToken stopping)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gracePeriod, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(time);
        GracePeriod = gracePeriod;
        Budget = BudgetOf(gracePeriod);
        _abandon = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _arm = stopping.Register(static state =>
        {
            var deadline = (DrainDeadline)state!;
            deadline._abandon.CancelAfter(deadline.Budget);
        }, this);
    }

    /// <summary>The whole grace period.</summary>
    public TimeSpan GracePeriod { get; }

    /// <summary>How long after the stop in-flight work may run: the grace period less its commit reserve.</summary>
    public TimeSpan Budget { get; }

    /// <summary>Fires <see cref="Budget"/> after the stop: abandon what is in flight and commit what is complete.</summary>
    public CancellationToken Token => _abandon.Token;

    /// <summary>True when the deadline passed before this was disposed: the drain did not finish in time.</summary>
    public bool Passed => _abandon.IsCancellationRequested;

    /// <summary>
    /// <paramref name="gracePeriod"/> less a quarter of it, at most <see cref="MaxCommitReserve"/>: a commit
    /// is a part footer, an fsync, a rename and two small JSON writes, well under a second on a healthy
    /// disk, and the rest of the grace period is better spent finishing batches.
    /// </summary>
    public static TimeSpan BudgetOf(TimeSpan gracePeriod) =>
        gracePeriod - TimeSpan.FromTicks(Math.Min(gracePeriod.Ticks / 4, MaxCommitReserve.Ticks));

    /// <inheritdoc />
    public void Dispose()
    {
        // Unregistering first waits for an arming callback in flight, so none runs on a disposed source.
        _arm.Dispose();
        _abandon.Dispose();
    }
}
