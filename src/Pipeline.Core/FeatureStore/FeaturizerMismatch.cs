using System.Globalization;

namespace Pipeline.FeatureStore;

/// <summary>
/// The one check behind every "written by another featurizer" refusal (a store resumed by another
/// run, a store whose parts mix featurizers, a store or an input scored by a classifier): one
/// comparison, and one message shape naming the place, what it was compared with, every key that
/// differs with both values, and what to do. Always an <see cref="InvalidDataException"/>: the data
/// does not fit, whichever check found it.
/// </summary>
internal static class FeaturizerMismatch
{
    /// <summary>
    /// Throws when <paramref name="found"/> differs from <paramref name="expected"/> on a key that
    /// <paramref name="match"/> compares. <see cref="FeatureStoreMetadata.CreatedAt"/> is never
    /// compared: a resumed run has its own.
    /// </summary>
    /// <param name="expected">The featurizer the features are used with.</param>
    /// <param name="found">The featurizer the features come from.</param>
    /// <param name="match">Which keys must agree.</param>
    /// <param name="place">What holds the features, naming its path: the message's subject, e.g. <c>Feature store 'x'</c>.</param>
    /// <param name="reference">What they were compared with, e.g. <c>this run</c> or <c>the classifier expects</c>.</param>
    /// <param name="remedy">What to do instead, e.g. <c>write to another output directory</c>.</param>
    /// <exception cref="InvalidDataException">A compared key differs.</exception>
    public static void ThrowIfDifferent(FeatureStoreMetadata expected, FeatureStoreMetadata found, FeaturizerMatch match, string place, string reference, string remedy)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(found);
        var differences = new List<string>();
        void Differ(string key, string foundValue, string expectedValue) => differences.Add($"{key} {foundValue} instead of {expectedValue}");

        if (match == FeaturizerMatch.Store && !string.Equals(found.ModelName, expected.ModelName, StringComparison.Ordinal))
        {
            Differ(FeatureStoreKeyValues.Model, Quote(found.ModelName), Quote(expected.ModelName));
        }

        if (!string.Equals(found.ModelSha256, expected.ModelSha256, StringComparison.OrdinalIgnoreCase))
        {
            Differ(FeatureStoreKeyValues.ModelSha256, $"{Short(found.ModelSha256)} ({found.ModelName})", $"{Short(expected.ModelSha256)} ({expected.ModelName})");
        }

        if (!string.Equals(found.FeatureNode, expected.FeatureNode, StringComparison.Ordinal))
        {
            Differ(FeatureStoreKeyValues.FeatureNode, Quote(found.FeatureNode), Quote(expected.FeatureNode));
        }

        if (!string.Equals(found.Layers, expected.Layers, StringComparison.Ordinal))
        {
            Differ(FeatureStoreKeyValues.Layers, Quote(found.Layers), Quote(expected.Layers));
        }

        if (found.Dimension != expected.Dimension)
        {
            Differ(FeatureStoreKeyValues.Dimension, found.Dimension.ToString(CultureInfo.InvariantCulture), expected.Dimension.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.Equals(found.Preprocessing, expected.Preprocessing, StringComparison.Ordinal))
        {
            Differ(FeatureStoreKeyValues.Preprocessing, Quote(found.Preprocessing), Quote(expected.Preprocessing));
        }

        if (found.Precision != expected.Precision)
        {
            Differ(FeatureStoreKeyValues.Precision, FeatureStoreKeyValues.PrecisionName(found.Precision), FeatureStoreKeyValues.PrecisionName(expected.Precision));
        }
        else if (!string.Equals(found.QuantizedGraph, expected.QuantizedGraph, StringComparison.Ordinal))
        {
            // Two calibrations (other first images, another shard's) give two int8 graphs whose features differ.
            Differ(FeatureStoreKeyValues.QuantizedGraph, Quote(Short(found.QuantizedGraph)), Quote(Short(expected.QuantizedGraph)));
        }

        if (match == FeaturizerMatch.Store && !found.Classes.SequenceEqual(expected.Classes, StringComparer.Ordinal))
        {
            Differ(FeatureStoreKeyValues.Classes, $"[{string.Join(", ", found.Classes)}]", $"[{string.Join(", ", expected.Classes)}]");
        }

        if (differences.Count > 0)
        {
            throw new InvalidDataException($"{place} was featurized by another featurizer than {reference}: it has {string.Join(", ", differences)}; {remedy}.");
        }
    }

    private static string Quote(string value) => $"'{value}'";

    /// <summary>Twelve hex digits tell two ONNX files apart; the whole hash would drown the sentence.</summary>
    private static string Short(string sha) => sha.Length > 12 ? sha[..12] + "…" : sha;
}
