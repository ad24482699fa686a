namespace Pipeline.Runs;

/// <summary>
/// The CNN a run featurizes with (YAML <c>model</c>): the first entry of <see cref="Prefer"/> whose
/// file is present in the models folder, otherwise <see cref="Name"/> (which is expected to always be
/// available, e.g. the bundled ResNet18).
/// </summary>
/// <param name="Name">The model used when no preferred one is present (required).</param>
/// <param name="Prefer">Models to use instead, in order of preference, when their file is present.</param>
public sealed record ModelChoice(string Name, IReadOnlyList<string> Prefer)
{
    /// <summary>The model to use given which model files are present.</summary>
    public string Resolve(IModelAvailability models)
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
}
