using Pipeline.FeatureStore;
using Pipeline.Training;

namespace Pipeline.Classifier;

/// <summary>What <see cref="TrainingJob"/> produced: the saved classifier, the rows it is to be tested on and how training went.</summary>
/// <param name="Model">The classifier as saved.</param>
/// <param name="ModelDirectory">The model folder (absolute).</param>
/// <param name="TrainSamples">Rows trained on.</param>
/// <param name="Test">The test rows (held out of the store, or the test store); null when every row was trained on (test fraction 0, no test store).</param>
/// <param name="TestLabels">Each test row's label as an index into the model's classes; empty without test rows.</param>
/// <param name="Summary">The final fit's summary (iterations, stop reason, objective history).</param>
/// <param name="TrainingSeconds">Wall time of the fit, or of the whole grid search and refit.</param>
/// <param name="Elapsed">Wall time of the whole job, reading and saving included.</param>
/// <param name="GridSearch">Every grid point's score and the chosen one; null for a single fit.</param>
public sealed record TrainingJobResult(
    ClassifierModel Model,
    string ModelDirectory,
    int TrainSamples,
    FeatureSet? Test,
    int[] TestLabels,
    TrainingSummary Summary,
    double TrainingSeconds,
    TimeSpan Elapsed,
    GridSearchResult? GridSearch)
{
    /// <summary>Rows to evaluate on; 0 when every row was trained on.</summary>
    public int TestSamples => Test?.Count ?? 0;
}
