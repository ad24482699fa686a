using Pipeline.Training;

namespace Pipeline.Classifier;

/// <summary>How a saved classifier was trained: the <c>training</c> object of <c>model.json</c>.</summary>
/// <param name="Parameters">The options of the final fit (for a grid search, the chosen point's).</param>
/// <param name="TrainSamples">Rows the final model was fitted on.</param>
/// <param name="TestSamples">Rows it was evaluated on after training.</param>
/// <param name="Iterations">Solver iterations of the final fit.</param>
/// <param name="StopReason">Why the final fit's solver stopped.</param>
/// <param name="Seconds">Wall time of the fit (of the whole grid search and refit, when there was one).</param>
/// <param name="ObjectiveHistory">The final fit's objective at the start and after each iteration.</param>
/// <param name="FeaturesDirectory">The feature store trained on.</param>
/// <param name="TestFeaturesDirectory">The store evaluated on, or null when the test rows were split off <paramref name="FeaturesDirectory"/>.</param>
/// <param name="TestFraction">The split's test fraction, or null with a separate test store.</param>
/// <param name="Seed">Seed of the split and of the folds.</param>
/// <param name="Stratified">Whether the split (and the folds) kept class proportions.</param>
/// <param name="GridSearch">Every grid point's cross-validated score, or null for a single fit.</param>
public sealed record ClassifierTraining(
    LogisticRegressionOptions Parameters,
    int TrainSamples,
    int TestSamples,
    int Iterations,
    StopReason StopReason,
    double Seconds,
    IReadOnlyList<double> ObjectiveHistory,
    string FeaturesDirectory,
    string? TestFeaturesDirectory,
    double? TestFraction,
    ulong Seed,
    bool Stratified,
    ClassifierGridSearch? GridSearch);
