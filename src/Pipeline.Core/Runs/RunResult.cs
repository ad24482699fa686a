using Pipeline.PipelineFiles;

namespace Pipeline.Runs;

/// <summary>How one <see cref="PipelineRunService.RunAsync"/> call ended.</summary>
/// <param name="State">Completed, failed or interrupted.</param>
/// <param name="ValidationErrors">Every problem of an invalid file; empty when the file was valid.</param>
/// <param name="Folder">The run folder; null when the file was invalid or the run never started.</param>
/// <param name="Record">The final <c>run.json</c> content; null when no run folder was made.</param>
public sealed record RunResult(RunState State, IReadOnlyList<PipelineFileError> ValidationErrors, RunFolder? Folder, RunRecord? Record)
{
    /// <summary>Why the run failed (every validation error, one per line, or the run's error); null otherwise.</summary>
    public string? Error => ValidationErrors.Count > 0
        ? string.Join(Environment.NewLine, ValidationErrors)
        : Record?.Error;
}
