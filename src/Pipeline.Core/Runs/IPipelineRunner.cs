namespace Pipeline.Runs;

/// <summary>
/// The seam between the orchestration (validation, run folder, run.json, worker) and the stages that do
/// the work: featurize → train → evaluate → predict.
/// </summary>
/// <remarks>
/// Contract for implementations: call <see cref="RunJournal.BeginStageAsync"/> and
/// <see cref="RunJournal.CompleteStageAsync"/> around each stage and record counts and metrics as they
/// become known. On cancellation, finish the current batch, flush part files, record the counts so far,
/// and throw <see cref="OperationCanceledException"/>: the caller then records the run as interrupted.
/// When the abandon token fires too, stop finishing: drop the work in flight and flush what is complete
/// at once. Any other exception fails the run with its message, so make that message one sentence
/// naming the file or key.
/// </remarks>
internal interface IPipelineRunner
{
    /// <summary>Executes <paramref name="run"/>, returning its final counts and metrics.</summary>
    /// <param name="run">The validated run.</param>
    /// <param name="journal">Its run.json.</param>
    /// <param name="cancellationToken">Stops the run gracefully.</param>
    /// <param name="abandonToken">Fires when a stop's drain is out of time (<see cref="Hosting.DrainDeadline"/>).</param>
    Task<RunOutcome> RunAsync(ResolvedRun run, RunJournal journal, CancellationToken cancellationToken, CancellationToken abandonToken);
}
