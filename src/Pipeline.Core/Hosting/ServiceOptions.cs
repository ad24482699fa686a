using Pipeline.Inference;
using Pipeline.Decoding;
using Pipeline.PipelineFiles;
using Pipeline.Settings;

namespace Pipeline.Hosting;

/// <summary>
/// Service defaults from configuration section <c>Pipeline</c> (appsettings.json, then environment
/// variables such as <c>Pipeline__OutputRoot</c>, then the command line such as
/// <c>--Pipeline:BatchSize=64</c>). A pipeline file overrides the featurize values per run.
/// </summary>
public sealed record ServiceOptions
{
    /// <summary>The configuration section bound to this record.</summary>
    public const string SectionName = "Pipeline";

    /// <summary>Root of all run folders, relative to the content root (default <c>runs</c>).</summary>
    public string OutputRoot { get; init; } = SettingCatalog.Service.OutputRoot.Default;

    /// <summary>Where model files live, relative to the content root (default <c>models</c>).</summary>
    public string ModelsDirectory { get; init; } = SettingCatalog.Service.ModelsDirectory.Default;

    /// <summary>Default inference device (default auto).</summary>
    public InferenceDevice Device { get; init; } = SettingCatalog.Featurize.Device.DefaultAs<InferenceDevice>();

    /// <summary>Default images per inference batch, 1 to 4096 (default 32).</summary>
    public int BatchSize { get; init; } = SettingCatalog.Featurize.BatchSize.Default;

    /// <summary>Default decode/preprocess workers, 1 to 256 (default: one per core, at most 256).</summary>
    public int Parallelism { get; init; } = SettingCatalog.Featurize.Parallelism.Default;

    /// <summary>Default decode limits.</summary>
    public DecodeLimits Limits { get; init; } = new();

    /// <summary>The defaults pipeline files are resolved against; relative paths start at <paramref name="contentRoot"/>.</summary>
    public RunDefaults ToRunDefaults(string contentRoot) => new()
    {
        BaseDirectory = contentRoot,
        OutputRoot = Path.GetFullPath(OutputRoot, contentRoot),
        BatchSize = BatchSize,
        Parallelism = Parallelism,
        Device = Device,
        Limits = Limits,
    };
}
