using Pipeline.PipelineFiles;

namespace Pipeline.Runs;

/// <summary>Everything a runner needs to execute one validated pipeline.</summary>
/// <param name="PipelineFile">The pipeline file as the user named it (for messages).</param>
/// <param name="Definition">The validated definition, defaults filled in, paths absolute.</param>
/// <param name="ModelName">The model to featurize with, after <c>prefer</c> resolution.</param>
/// <param name="Folder">The run folder (already created, resolved.yaml and run.json written).</param>
/// <param name="ModelsDirectory">Where model files live, absolute.</param>
/// <param name="IsResume">
/// True when an earlier attempt of this run was interrupted (or died). <see cref="StagePipelineRunner"/>
/// needs no flag to resume: its featurize stage reuses every complete part file in
/// <see cref="RunFolder.Features"/> on any run (the featurization cache); the flag is for runners and logs
/// that treat a resume differently from a fresh run.
/// </param>
internal sealed record ResolvedRun(
    string PipelineFile,
    PipelineDefinition Definition,
    string ModelName,
    RunFolder Folder,
    string ModelsDirectory,
    bool IsResume);
