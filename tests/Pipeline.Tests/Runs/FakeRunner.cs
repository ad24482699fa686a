using System.Collections.Concurrent;
using Pipeline.Runs;

namespace Pipeline.Tests.Runs;

/// <summary>An <see cref="IPipelineRunner"/> whose behaviour the test supplies; records every call.</summary>
internal sealed class FakeRunner(Func<ResolvedRun, RunJournal, CancellationToken, Task<RunOutcome>> behaviour) : IPipelineRunner
{
    public static readonly RunOutcome Outcome = new(new RunCounts(Read: 10, Featurized: 9, Rejected: 1), new Dictionary<string, double> { ["accuracy"] = 0.9 });

    public ConcurrentQueue<ResolvedRun> Calls { get; } = new();

    /// <summary>Journals one featurize stage and completes.</summary>
    public static FakeRunner Completing() => new(async (_, journal, _) =>
    {
        await journal.BeginStageAsync(RunStage.Featurize);
        await journal.RecordCountsAsync(Outcome.Counts);
        await journal.CompleteStageAsync(RunStage.Featurize);
        return Outcome;
    });

    public Task<RunOutcome> RunAsync(ResolvedRun run, RunJournal journal, CancellationToken cancellationToken, CancellationToken abandonToken)
    {
        Calls.Enqueue(run);
        return behaviour(run, journal, cancellationToken);
    }
}
