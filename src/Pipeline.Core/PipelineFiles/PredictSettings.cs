namespace Pipeline.PipelineFiles;

/// <summary>
/// What to classify with a model (YAML <c>predict</c>): in a batch run, <see cref="Inputs"/> with
/// the model it trained; in a stream, every landed image online with <see cref="Model"/>.
/// </summary>
/// <param name="Inputs">Image files or folders, absolute once loaded; at least one in a batch run, none in a stream.</param>
public sealed record PredictSettings(IReadOnlyList<string> Inputs)
{
    /// <summary>
    /// A stream's model folder (holding <c>model.json</c>), absolute once loaded: each landed image is
    /// also classified with it into <c>predictions/part-NNNNN.parquet</c>, committed with its
    /// features. Null in a batch run.
    /// </summary>
    public string? Model { get; init; }
}
