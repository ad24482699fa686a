using System.Globalization;
using Pipeline.FeatureStore;

namespace Pipeline.Classifier;

/// <summary>
/// Whether a feature store can be scored by a classifier: same featurizer (ONNX hash,
/// preprocessing, dimension, node) and classes the classifier knows.
/// </summary>
internal static class FeatureCompatibility
{
    /// <summary>
    /// Checks <paramref name="features"/> against the classifier and returns each row's true label
    /// as an index into <paramref name="classes"/>. A store may lack some of the classifier's
    /// classes (a test folder without examples of one class); a class the classifier does not know
    /// cannot be scored and is refused.
    /// </summary>
    /// <exception cref="InvalidDataException">The store comes from another featurizer or holds an unknown class; the message names the store and the key.</exception>
    public static int[] LabelsFor(FeaturizerSignature featurizer, IReadOnlyList<string> classes, FeatureSet features, string what)
    {
        EnsureFinite(features, what);
        featurizer.ThrowIfOtherThan(features.Metadata, what, "the classifier expects", $"featurize it with model '{featurizer.ModelName}'{(featurizer.Layers.Length == 0 ? "" : $" --layers {featurizer.Layers}")}, the same preprocessing and --precision {FeatureStoreKeyValues.PrecisionName(featurizer.Precision)}");

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < classes.Count; c++)
        {
            index[classes[c]] = c;
        }

        var map = new int[features.Classes.Count];
        for (var c = 0; c < map.Length; c++)
        {
            var name = features.Classes.Names[c];
            map[c] = index.TryGetValue(name, out var modelIndex)
                ? modelIndex
                : throw new InvalidDataException(
                    $"{what} has class '{name}', which the classifier does not know (its classes: {string.Join(", ", classes)}).");
        }

        var labels = new int[features.Count];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = map[features.LabelIndices[i]];
        }

        return labels;
    }

    /// <summary>Refuses a NaN or infinite feature, naming its row and path: the solver and the evaluator need finite input.</summary>
    /// <exception cref="InvalidDataException">A feature is not finite.</exception>
    public static void EnsureFinite(FeatureSet features, string what) =>
        EnsureFinite(features.Features, features.Dimension, row => features.Paths[row], firstRow: 0, what);

    /// <summary>
    /// <see cref="EnsureFinite(FeatureSet, string)"/> for one batch of rows, numbered from
    /// <paramref name="firstRow"/> so that the message names the row as a whole set would.
    /// </summary>
    /// <exception cref="InvalidDataException">A feature is not finite.</exception>
    internal static void EnsureFinite(ReadOnlySpan<float> features, int dimension, Func<int, string> pathOf, long firstRow, string what)
    {
        for (var bad = 0; bad < features.Length; bad++)
        {
            if (!float.IsFinite(features[bad]))
            {
                var row = bad / dimension;
                throw new InvalidDataException(
                    $"{what} row {firstRow + row} ('{pathOf(row)}') has feature {bad % dimension} = {features[bad].ToString(CultureInfo.InvariantCulture)}; features must be finite.");
            }
        }
    }
}
