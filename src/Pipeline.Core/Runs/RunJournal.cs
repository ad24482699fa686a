using Pipeline.IO;

namespace Pipeline.Runs;

/// <summary>
/// The live <c>run.json</c> of one run. Stages call it as they begin and end and as counts and metrics
/// become known; every change is written through atomically, so <c>run.json</c> always tells how far the
/// run got, even after a kill. Thread-safe: concurrent stage updates are applied and written in order.
/// </summary>
internal sealed class RunJournal
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _path;
    private readonly TimeProvider _time;
    private RunRecord _record;

    internal RunJournal(string path, RunRecord initial, TimeProvider time)
    {
        _path = path;
        _record = initial;
        _time = time;
    }

    /// <summary>A snapshot of the record as last written.</summary>
    public RunRecord Current => Volatile.Read(ref _record);

    /// <summary>Marks <paramref name="stage"/> running from now.</summary>
    public Task BeginStageAsync(RunStage stage) => UpdateAsync(r => r with
    {
        Stages = [.. r.Stages.Where(s => s.Stage != stage), new StageTiming(stage, RunState.Running, _time.GetUtcNow())],
    });

    /// <summary>Marks <paramref name="stage"/> completed now and records its duration.</summary>
    public Task CompleteStageAsync(RunStage stage) => UpdateAsync(r => EndStages(r, RunState.Completed, stage));

    /// <summary>Records the image counts so far (replacing earlier ones).</summary>
    public Task RecordCountsAsync(RunCounts counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        return UpdateAsync(r => r with { Counts = counts });
    }

    /// <summary>Adds or replaces headline metrics.</summary>
    public Task RecordMetricsAsync(IReadOnlyDictionary<string, double> metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        return UpdateAsync(r => r with { Metrics = Merge(r.Metrics, metrics) });
    }

    /// <summary>Records that the run is a stream (<see cref="RunRecord.Stream"/>).</summary>
    public Task RecordStreamAsync() => UpdateAsync(r => r with { Stream = true });

    /// <summary>Records where the report was written.</summary>
    public Task RecordReportAsync(string reportPath) => UpdateAsync(r => r with { ReportPath = reportPath });

    internal Task StartAsync() => UpdateAsync(r => r with
    {
        State = RunState.Running,
        StartedAt = _time.GetUtcNow(),
        FinishedAt = null,
        Seconds = null,
        Stages = [],
        Error = null,
    });

    internal Task CompleteAsync(RunOutcome outcome) => UpdateAsync(r => Finish(EndStages(r, RunState.Completed), RunState.Completed) with
    {
        Counts = outcome.Counts,
        Metrics = Merge(r.Metrics, outcome.Metrics),
        ReportPath = outcome.ReportPath ?? r.ReportPath,
    });

    /// <remarks>
    /// The one write allowed to fall back from atomic to in place: a full disk fails the atomic write (its
    /// temporary file needs new blocks), while truncating run.json frees its own blocks for the new text,
    /// and a run.json left saying "running" would hide both the failure and its cause. A torn run.json, should
    /// the process die during that write, reads as no run.json, which only costs the attempt count.
    /// </remarks>
    internal Task FailAsync(string error) => UpdateAsync(r => Finish(EndStages(r, RunState.Failed), RunState.Failed) with { Error = error }, inPlaceFallback: true);

    internal Task InterruptAsync() => UpdateAsync(r => Finish(EndStages(r, RunState.Interrupted), RunState.Interrupted));

    /// <summary>Rewrites run.json in place; when that fails too, <paramref name="atomic"/> (which names run.json and the cause) is what is reported.</summary>
    private async Task OverwriteAsync(string json, IOException atomic)
    {
        try
        {
            await File.WriteAllTextAsync(_path, json).ConfigureAwait(false);
        }
        catch (Exception e) when (TemporaryFileError.IsWriteFailure(e))
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(atomic);
        }
    }

    /// <summary><paramref name="existing"/> with <paramref name="added"/> added or replacing, in ordinal key order so run.json is stable.</summary>
    private static SortedDictionary<string, double> Merge(IReadOnlyDictionary<string, double> existing, IReadOnlyDictionary<string, double> added)
    {
        var merged = new SortedDictionary<string, double>(existing.ToDictionary(), StringComparer.Ordinal);
        foreach (var (name, value) in added)
        {
            merged[name] = value;
        }

        return merged;
    }

    private RunRecord Finish(RunRecord r, RunState state)
    {
        var now = _time.GetUtcNow();
        return r with { State = state, FinishedAt = now, Seconds = r.StartedAt is { } start ? (now - start).TotalSeconds : null };
    }

    /// <summary>Ends the running stage(s) (all of them, or just <paramref name="only"/>) in <paramref name="state"/>.</summary>
    private RunRecord EndStages(RunRecord r, RunState state, RunStage? only = null)
    {
        var now = _time.GetUtcNow();
        return r with
        {
            Stages = [.. r.Stages.Select(s => s.State == RunState.Running && (only is null || s.Stage == only)
                ? s with { State = state, FinishedAt = now, Seconds = (now - s.StartedAt).TotalSeconds }
                : s)],
        };
    }

    private async Task UpdateAsync(Func<RunRecord, RunRecord> change, bool inPlaceFallback = false)
    {
        // Writes are deliberately not cancellable: the final "interrupted" must reach disk after the
        // run's token has fired.
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            var next = change(_record);
            var json = RunRecordJson.Serialize(next);
            try
            {
                await AtomicFile.WriteAllTextAsync(_path, json).ConfigureAwait(false);
            }
            catch (IOException atomic) when (inPlaceFallback)
            {
                await OverwriteAsync(json, atomic).ConfigureAwait(false);
            }

            Volatile.Write(ref _record, next);
        }
        finally
        {
            _gate.Release();
        }
    }
}
