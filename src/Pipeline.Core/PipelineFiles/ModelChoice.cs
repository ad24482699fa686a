using Pipeline.Models;

namespace Pipeline.PipelineFiles;

/// <summary>
/// The CNN a run featurizes with (YAML <c>model</c>): the first entry of <see cref="Prefer"/> whose
/// file is present in the models folder, otherwise <see cref="Name"/> (which is expected to always be
/// available, e.g. the bundled ResNet18). A run folder that already holds features of one of them keeps it.
/// </summary>
/// <param name="Name">The model used when no preferred one is present (required).</param>
/// <param name="Prefer">Models to use instead, in order of preference, when their file is present.</param>
public sealed record ModelChoice(string Name, IReadOnlyList<string> Prefer)
{
    /// <summary>The zoo layers of <see cref="Name"/> to read (YAML <c>model.layers</c>), in concatenation order; empty reads its feature node.</summary>
    public IReadOnlyList<string> Layers { get; init; } = [];

    /// <summary>The pooling (YAML <c>model.pooling</c>); null takes the zoo entry's.</summary>
    public FeaturePooling? Pooling { get; init; }

    /// <summary>The resize policy (YAML <c>model.resize</c>); null takes the zoo entry's rule.</summary>
    public ResizeMode? Resize { get; init; }

    /// <summary><paramref name="spec"/> with this choice's pooling, layers and resize policy.</summary>
    /// <exception cref="ModelZooException">A layer is unknown, or the pooling cannot apply to the maps read.</exception>
    internal ModelSpec Apply(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var layered = (Pooling is { } pooling ? spec with { Pooling = pooling } : spec).WithLayers(Layers);
        return Resize is { } resize ? layered.WithResize(resize) : layered;
    }

    /// <summary>The model to use given which model files are present.</summary>
    internal string Resolve(IModelAvailability models)
    {
        ArgumentNullException.ThrowIfNull(models);
        foreach (var preferred in Prefer)
        {
            if (models.IsAvailable(preferred))
            {
                return preferred;
            }
        }

        return Name;
    }

    /// <summary>
    /// The model for a run folder whose feature store was made with <paramref name="storeModel"/> (null
    /// when it holds none): that model while it is still one of the choices and present, since features
    /// of two models cannot share a store and a re-run must not fail because a preferred model appeared
    /// after the first run; otherwise <see cref="Resolve(IModelAvailability)"/>.
    /// </summary>
    internal string Resolve(IModelAvailability models, string? storeModel)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (storeModel is not null)
        {
            if (string.Equals(storeModel, Name, StringComparison.OrdinalIgnoreCase))
            {
                return Name;
            }

            var preferred = Prefer.FirstOrDefault(p => string.Equals(p, storeModel, StringComparison.OrdinalIgnoreCase));
            if (preferred is not null && models.IsAvailable(preferred))
            {
                return preferred;
            }
        }

        return Resolve(models);
    }
}
