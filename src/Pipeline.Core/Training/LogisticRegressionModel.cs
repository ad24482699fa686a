using System.Text.Json;
using Pipeline.Metrics;

namespace Pipeline.Training;

/// <summary>
/// A trained multinomial logistic regression: margins β·x + b, probabilities softmax(margins),
/// prediction argmax. Coefficients and intercepts are on the original feature scale.
/// </summary>
public sealed class LogisticRegressionModel
{
    private static readonly JsonSerializerOptions SerializerOptions = new() { WriteIndented = false };

    internal LogisticRegressionModel(
        double[] coefficients, double[] intercepts, int featureCount, int classCount, IReadOnlyList<string>? classNames, TrainingSummary? summary)
    {
        Coefficients = coefficients;
        Intercepts = intercepts;
        FeatureCount = featureCount;
        ClassCount = classCount;
        ClassNames = classNames;
        Summary = summary;
    }

    /// <summary>Class names in index order, when the training set had them.</summary>
    public IReadOnlyList<string>? ClassNames { get; }

    public int ClassCount { get; }

    public int FeatureCount { get; }

    /// <summary>Row-major <see cref="ClassCount"/> × <see cref="FeatureCount"/>, Spark's <c>coefficientMatrix</c>.</summary>
    public double[] Coefficients { get; }

    /// <summary>One per class, summing to 0 when fitted (Spark's <c>interceptVector</c>).</summary>
    public double[] Intercepts { get; }

    /// <summary>How training went; null for a model read from JSON (Spark does not save it either).</summary>
    public TrainingSummary? Summary { get; }

    /// <summary>Writes the class probabilities of one row, computed with a max-shifted softmax.</summary>
    public void PredictProbabilities(ReadOnlySpan<float> features, Span<double> probabilities)
    {
        if (features.Length != FeatureCount)
        {
            throw new ArgumentException($"Expected {FeatureCount} features but got {features.Length}.", nameof(features));
        }

        if (probabilities.Length != ClassCount)
        {
            throw new ArgumentException($"Expected room for {ClassCount} probabilities but got {probabilities.Length}.", nameof(probabilities));
        }

        var max = double.NegativeInfinity;
        for (var c = 0; c < ClassCount; c++)
        {
            var margin = Intercepts[c] + MultinomialLogisticLoss.Dot(Coefficients.AsSpan(c * FeatureCount, FeatureCount), features);
            probabilities[c] = margin;
            max = Math.Max(max, margin);
        }

        var sum = 0.0;
        for (var c = 0; c < ClassCount; c++)
        {
            probabilities[c] = Math.Exp(probabilities[c] - max);
            sum += probabilities[c];
        }

        for (var c = 0; c < ClassCount; c++)
        {
            probabilities[c] /= sum;
        }
    }

    /// <summary>The most probable class index (the lowest index on ties).</summary>
    public int Predict(ReadOnlySpan<float> features)
    {
        Span<double> probabilities = ClassCount <= 256 ? stackalloc double[ClassCount] : new double[ClassCount];
        PredictProbabilities(features, probabilities);
        return MulticlassEvaluator.ArgMax(probabilities);
    }

    /// <summary>The serialisable form, for embedding in a larger document.</summary>
    internal LogisticRegressionModelDto ToDto() =>
        new(ClassCount, FeatureCount, ClassNames?.ToArray(), (double[])Coefficients.Clone(), (double[])Intercepts.Clone());

    /// <exception cref="ArgumentException">Sizes disagree or a value is not finite.</exception>
    internal static LogisticRegressionModel FromDto(LogisticRegressionModelDto dto)
    {
        ArgumentNullException.ThrowIfNull(dto);
        if (dto.ClassCount < 2 || dto.FeatureCount < 1)
        {
            throw new ArgumentException($"A model needs classCount >= 2 and featureCount >= 1, got {dto.ClassCount} and {dto.FeatureCount}.", nameof(dto));
        }

        if (dto.Coefficients is null || dto.Coefficients.Length != dto.ClassCount * dto.FeatureCount)
        {
            throw new ArgumentException($"coefficients must hold classCount × featureCount = {dto.ClassCount * dto.FeatureCount} values.", nameof(dto));
        }

        if (dto.Intercepts is null || dto.Intercepts.Length != dto.ClassCount)
        {
            throw new ArgumentException($"intercepts must hold classCount = {dto.ClassCount} values.", nameof(dto));
        }

        if (dto.ClassNames is not null && dto.ClassNames.Length != dto.ClassCount)
        {
            throw new ArgumentException($"classNames must hold classCount = {dto.ClassCount} names.", nameof(dto));
        }

        if (!dto.Coefficients.All(double.IsFinite) || !dto.Intercepts.All(double.IsFinite))
        {
            throw new ArgumentException("coefficients and intercepts must be finite.", nameof(dto));
        }

        return new LogisticRegressionModel(
            (double[])dto.Coefficients.Clone(), (double[])dto.Intercepts.Clone(), dto.FeatureCount, dto.ClassCount, dto.ClassNames, summary: null);
    }

    /// <summary>Compact JSON; doubles are written in their shortest round-trippable form.</summary>
    public string ToJson() => JsonSerializer.Serialize(ToDto(), SerializerOptions);

    public static LogisticRegressionModel FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var dto = JsonSerializer.Deserialize<LogisticRegressionModelDto>(json, SerializerOptions)
            ?? throw new ArgumentException("The model JSON is null.", nameof(json));
        return FromDto(dto);
    }
}
