using Pipeline.Evaluation;
using Pipeline.Prediction;

namespace Pipeline.Training;

/// <summary>What <see cref="TrainingJob"/> produced: the saved classifier, its test evaluation and how training went.</summary>
/// <param name="Model">The classifier as saved.</param>
/// <param name="ModelDirectory">The model folder (absolute).</param>
/// <param name="OnnxPath">The exported <c>model.onnx</c>, or null when it was not exported (see <paramref name="Warnings"/>).</param>
/// <param name="TrainSamples">Rows trained on.</param>
/// <param name="TestSamples">Rows evaluated on; 0 when every row was trained on (test fraction 0, no test store).</param>
/// <param name="Summary">The final fit's summary (iterations, stop reason, objective history).</param>
/// <param name="TrainingSeconds">Wall time of the fit, or of the whole grid search and refit.</param>
/// <param name="Elapsed">Wall time of the whole job, reading and report included.</param>
/// <param name="GridSearch">Every grid point's score and the chosen one; null for a single fit.</param>
/// <param name="Evaluation">The metrics on the test rows; null when <see cref="TrainingJobOptions.Evaluate"/> is off or there are no test rows.</param>
/// <param name="Report">The report files; null when <see cref="TrainingJobOptions.Evaluate"/> is off or there are no test rows.</param>
/// <param name="Warnings">Things the user should know that did not stop the job (one sentence each).</param>
public sealed record TrainingJobResult(
    ClassifierModel Model,
    string ModelDirectory,
    string? OnnxPath,
    int TrainSamples,
    int TestSamples,
    TrainingSummary Summary,
    double TrainingSeconds,
    TimeSpan Elapsed,
    GridSearchResult? GridSearch,
    MulticlassEvaluation? Evaluation,
    EvaluationReport? Report,
    IReadOnlyList<string> Warnings);
