using Pipeline.Featurization;

namespace Pipeline.Hosting;

/// <summary>
/// What <c>/health</c> and <c>/alive</c> report. Unhealthy (readiness) when the inbox or a stream's
/// landing folder cannot be read, or a run is stuck; not alive (liveness) only when a run is stuck,
/// the one state a restart can cure. A run is stuck when images are waiting in its graph and it has
/// made no progress (no batch committed, no image arriving at an idle graph) for
/// <see cref="MetricsOptions.StuckAfter"/>. Runs outside featurization (training, evaluation) are not watched.
/// </summary>
internal sealed class HealthCheck(PipelineMeter meter, string? inbox, TimeSpan stuckAfter)
{
    /// <summary>Why the process is not ready; empty when it is.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (inbox is not null && Unreadable(inbox) is { } reason)
        {
            problems.Add($"inbox {inbox} cannot be read: {reason}");
        }

        foreach (var run in meter.Active)
        {
            foreach (var folder in run.Stream?.LandingFolders ?? [])
            {
                if (Unreadable(folder) is { } why)
                {
                    problems.Add($"landing folder {folder} of the stream into {run.Store} cannot be read: {why}");
                }
            }
        }

        problems.AddRange(Stuck());
        return problems;
    }

    /// <summary>Why the process should be restarted; empty when it should not.</summary>
    public IReadOnlyList<string> Stuck() =>
        [.. meter.Active
            .Where(run => run.Counters.Backlog > 0 && run.Counters.SinceProgress > stuckAfter)
            .Select(run => $"the run into {run.Store} is stuck: {run.Counters.Backlog} images waiting and nothing committed for {run.Counters.SinceProgress:hh\\:mm\\:ss}")];

    private static string? Unreadable(string folder)
    {
        try
        {
            // Opening the listing reads the folder (a missing folder, a file in its place, no permission all throw).
            using var entries = Directory.EnumerateFileSystemEntries(folder).GetEnumerator();
            entries.MoveNext();
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }
}
