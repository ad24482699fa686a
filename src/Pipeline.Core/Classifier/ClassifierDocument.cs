using Pipeline.Training;

namespace Pipeline.Classifier;

/// <summary>The JSON shape of <c>model.json</c>; see <see cref="ClassifierModel"/>.</summary>
internal sealed record ClassifierDocument(
    int FormatVersion,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string> Classes,
    FeaturizerSignature Featurizer,
    LogisticRegressionModelDto Model,
    ClassifierTraining? Training,
    string? Onnx);
