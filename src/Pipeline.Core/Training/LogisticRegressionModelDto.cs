using System.Text.Json.Serialization;

namespace Pipeline.Training;

/// <summary>
/// The saved form of a <see cref="LogisticRegressionModel"/>: the fields of Spark's model data row
/// (<c>numClasses, numFeatures, interceptVector, coefficientMatrix</c>) plus the class names.
/// Property names are fixed so the document reads the same whatever naming policy embeds it.
/// </summary>
internal sealed record LogisticRegressionModelDto(
    [property: JsonPropertyName("classCount")] int ClassCount,
    [property: JsonPropertyName("featureCount")] int FeatureCount,
    [property: JsonPropertyName("classNames")] string[]? ClassNames,
    [property: JsonPropertyName("coefficients")] double[] Coefficients,
    [property: JsonPropertyName("intercepts")] double[] Intercepts);
