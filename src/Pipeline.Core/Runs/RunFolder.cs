namespace Pipeline.Runs;

/// <summary>
/// The layout of one run's folder (<c>&lt;outputRoot&gt;/&lt;output&gt;/</c>): the feature store, the model,
/// the report, the resolved configuration and <c>run.json</c>.
/// </summary>
/// <param name="Root">The run folder, absolute.</param>
public sealed record RunFolder(string Root)
{
    /// <summary>The Parquet feature store.</summary>
    public string Features => Path.Combine(Root, "features");

    /// <summary>The trained model.</summary>
    public string Model => Path.Combine(Root, "model");

    /// <summary>The evaluation report (metrics, confusion matrix, plots).</summary>
    public string Report => Path.Combine(Root, "report");

    /// <summary>Predictions for <see cref="PipelineFiles.PipelineDefinition.Predict"/> inputs.</summary>
    public string Predictions => Path.Combine(Root, "predictions");

    /// <summary>
    /// Where a stream with <c>stream.after: archive</c> moves landed files once committed, each under
    /// its full path (<c>archive/in/cat/1.png</c>): outside the landing folder, so they are never seen
    /// again, and beside the rows they became. Created by the first move.
    /// </summary>
    public string Archive => Path.Combine(Root, "archive");

    /// <summary>The fully resolved configuration the run used.</summary>
    public string ResolvedConfiguration => Path.Combine(Root, "resolved.yaml");

    /// <summary>State, timings, counts, metrics and error of the run.</summary>
    public string RunJson => Path.Combine(Root, "run.json");

    /// <summary>Creates the run folder and its sub-folders.</summary>
    public void Create()
    {
        Directory.CreateDirectory(Features);
        Directory.CreateDirectory(Model);
        Directory.CreateDirectory(Report);
    }
}
