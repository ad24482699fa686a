using System.Text.Json;
using System.Text.Json.Serialization;
using Pipeline.FeatureStore;
using Pipeline.IO;
using Pipeline.Training;

namespace Pipeline.Classifier;

/// <summary>
/// A trained classifier as a folder: <c>model.json</c> (classes, the linear head on the original
/// feature scale, how it was trained, and the featurizer whose features it expects) and, when the
/// featurizer could be exported, <c>model.onnx</c> (featurizer + head + softmax in one graph).
/// </summary>
/// <remarks>
/// <c>model.json</c> keys (camelCase): <c>formatVersion</c> (1), <c>createdAt</c>, <c>classes</c>,
/// <c>featurizer</c> {modelName, modelSha256, featureNode, dimension, preprocessing},
/// <c>model</c> {classCount, featureCount, classNames, coefficients (K×D row-major), intercepts},
/// <c>training</c> (see <see cref="ClassifierTraining"/>; null for a model not trained here) and
/// <c>onnx</c> (the ONNX file name, or null when none was exported).
/// </remarks>
public sealed class ClassifierModel
{
    public const string ModelFileName = "model.json";
    public const string OnnxFileName = "model.onnx";
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public ClassifierModel(FeaturizerSignature featurizer, LogisticRegressionModel regression, ClassifierTraining? training, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(featurizer);
        ArgumentNullException.ThrowIfNull(regression);
        if (regression.ClassNames is null)
        {
            throw new ArgumentException("The regression model has no class names; a saved classifier must name its classes.", nameof(regression));
        }

        if (regression.FeatureCount != featurizer.Dimension)
        {
            throw new ArgumentException(
                $"The regression model takes {regression.FeatureCount} features but the featurizer gives {featurizer.Dimension}.", nameof(regression));
        }

        Featurizer = featurizer;
        Regression = regression;
        Training = training;
        CreatedAt = createdAt;
    }

    /// <summary>Class names in probability-column order.</summary>
    public IReadOnlyList<string> Classes => Regression.ClassNames!;

    public FeaturizerSignature Featurizer { get; }

    /// <summary>The linear head: coefficients and intercepts on the original feature scale.</summary>
    public LogisticRegressionModel Regression { get; }

    public ClassifierTraining? Training { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>The exported ONNX model's path, when the folder holds one (set by <see cref="LoadAsync"/>).</summary>
    public string? OnnxPath { get; private init; }

    /// <summary>Writes <c>model.json</c> into <paramref name="directory"/> (created if needed), under a temporary name renamed into place.</summary>
    /// <param name="directory">The model folder.</param>
    /// <param name="onnxFileName">The name of the ONNX file already written into the folder, or null.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    public async Task SaveAsync(string directory, string? onnxFileName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var document = new ClassifierDocument(FormatVersion, CreatedAt, Classes.ToArray(), Featurizer, Regression.ToDto(), Training, onnxFileName);
        await AtomicFile.WriteAsync(
            Path.Combine(directory, ModelFileName),
            (stream, ct) => JsonSerializer.SerializeAsync(stream, document, SerializerOptions, ct),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a model folder written by <see cref="SaveAsync"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="FileNotFoundException">The folder has no <c>model.json</c>.</exception>
    /// <exception cref="InvalidDataException"><c>model.json</c> is not valid JSON, lacks a key or holds inconsistent values; the message names the file and key.</exception>
    public static async Task<ClassifierModel> LoadAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var root = Path.GetFullPath(directory);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"Model folder '{root}' does not exist.");
        }

        var file = Path.Combine(root, ModelFileName);
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"Model folder '{root}' has no {ModelFileName}; train one with `pipeline train`.", file);
        }

        ClassifierDocument document;
        try
        {
            var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
            await using var _ = stream.ConfigureAwait(false);
            document = await JsonSerializer.DeserializeAsync<ClassifierDocument>(stream, SerializerOptions, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException($"Model file '{file}' holds null instead of a model.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Model file '{file}' is not a valid {ModelFileName} ({e.Message.ReplaceLineEndings(" ")}).", e);
        }

        if (document.FormatVersion != FormatVersion)
        {
            throw new InvalidDataException($"Model file '{file}' has formatVersion {document.FormatVersion}; this version reads {FormatVersion}.");
        }

        LogisticRegressionModel regression;
        try
        {
            regression = LogisticRegressionModel.FromDto(document.Model);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"Model file '{file}' has an invalid 'model': {FirstSentence(e)}", e);
        }

        if (regression.ClassNames is null || !regression.ClassNames.SequenceEqual(document.Classes, StringComparer.Ordinal))
        {
            throw new InvalidDataException($"Model file '{file}' has 'classes' that differ from 'model.classNames'.");
        }

        if (document.Classes.Distinct(StringComparer.Ordinal).Count() != document.Classes.Count)
        {
            throw new InvalidDataException($"Model file '{file}' lists a class twice in 'classes'.");
        }

        if (regression.FeatureCount != document.Featurizer.Dimension)
        {
            throw new InvalidDataException(
                $"Model file '{file}' has 'model.featureCount' {regression.FeatureCount} but 'featurizer.dimension' {document.Featurizer.Dimension}.");
        }

        string? onnx = null;
        if (document.Onnx is not null)
        {
            onnx = Path.Combine(root, document.Onnx);
            if (!File.Exists(onnx))
            {
                throw new InvalidDataException($"Model file '{file}' names 'onnx' {document.Onnx}, which is not in the folder.");
            }
        }

        return new ClassifierModel(document.Featurizer, regression, document.Training, document.CreatedAt) { OnnxPath = onnx };
    }

    /// <summary>Row-major n × K class probabilities of every row of <paramref name="features"/>.</summary>
    /// <exception cref="InvalidDataException">The set's feature dimension is not the model's.</exception>
    public double[] PredictProbabilities(FeatureSet features, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(features);
        if (features.Dimension != Regression.FeatureCount)
        {
            throw new InvalidDataException($"The features have {features.Dimension} values per row but the model takes {Regression.FeatureCount}.");
        }

        var k = Regression.ClassCount;
        var probabilities = new double[features.Count * k];
        var parallel = new ParallelOptions { CancellationToken = cancellationToken };
        Parallel.For(0, features.Count, parallel, row => Regression.PredictProbabilities(features.GetFeatures(row), probabilities.AsSpan(row * k, k)));
        return probabilities;
    }

    /// <summary>An argument exception's message without the " (Parameter 'x')" suffix .NET appends.</summary>
    private static string FirstSentence(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal) : e.Message;
}
