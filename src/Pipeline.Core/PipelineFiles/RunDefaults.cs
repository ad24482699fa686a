using Pipeline.Inference;
using Pipeline.Decoding;
using Pipeline.Settings;

namespace Pipeline.PipelineFiles;

/// <summary>
/// The service-wide values a pipeline file is resolved against: where relative paths start, the output
/// root every run folder must lie in, and the featurize defaults a file may override per run.
/// </summary>
public sealed record RunDefaults
{
    /// <summary>Relative source, test and predict paths in a pipeline file start here (default the current directory).</summary>
    public string BaseDirectory { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>Root of all run folders; a file's <c>output</c> is relative to it (default <c>runs</c>).</summary>
    public string OutputRoot { get; init; } = SettingCatalog.Service.OutputRoot.Default;

    /// <summary>Images per inference batch when the file is silent (default 32).</summary>
    public int BatchSize { get; init; } = SettingCatalog.Featurize.BatchSize.Default;

    /// <summary>Decode/preprocess workers when the file is silent (default: one per core, at most 256).</summary>
    public int Parallelism { get; init; } = SettingCatalog.Featurize.Parallelism.Default;

    /// <summary>Inference device when the file is silent (default auto).</summary>
    public InferenceDevice Device { get; init; } = SettingCatalog.Featurize.Device.DefaultAs<InferenceDevice>();

    /// <summary>Decode limits when the file is silent.</summary>
    public DecodeLimits Limits { get; init; } = new();

    /// <summary>The output root as an absolute path.</summary>
    internal string OutputRootFullPath => Path.GetFullPath(OutputRoot, BaseDirectory);
}
