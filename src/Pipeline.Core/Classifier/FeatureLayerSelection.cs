using Pipeline.FeatureStore;
using Pipeline.Models;

namespace Pipeline.Classifier;

/// <summary>
/// Training on some of the layers a store holds (<c>pipeline train --layers</c>): a store featurized
/// once with stage1..stage4 gives every subset's columns without another inference pass, and the
/// subset's features are exactly those a run naming only those layers would write, since each
/// layer is pooled on its own and the concatenation only places the blocks side by side.
/// </summary>
internal static class FeatureLayerSelection
{
    /// <summary>
    /// The columns of <paramref name="layers"/> (in that order) from <paramref name="features"/>,
    /// described as a store featurized with those layers would be; the set itself when
    /// <paramref name="layers"/> is empty or names the store's layers in the store's order.
    /// </summary>
    /// <exception cref="InvalidDataException">The store holds no layers, or not one of those asked for.</exception>
    public static FeatureSet Select(FeatureSet features, IReadOnlyList<string> layers, ModelZoo zoo, string what)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(zoo);
        var metadata = features.Metadata;
        var signature = FeaturizerSignature.FromMetadata(metadata);
        if (layers.Count == 0 || layers.SequenceEqual(signature.LayerList, StringComparer.OrdinalIgnoreCase))
        {
            return features;
        }

        if (signature.LayerList.Count == 0)
        {
            throw new InvalidDataException($"{what} was featurized from model '{metadata.ModelName}''s feature node '{metadata.FeatureNode}', not from layers, so layers {string.Join(",", layers)} cannot be taken from it; featurize it with --layers.");
        }

        ModelSpec stored;
        try
        {
            stored = signature.Match(zoo.Get(metadata.ModelName), zoo.SourcePath);
        }
        catch (ModelZooException e)
        {
            throw new InvalidDataException($"{what}: {e.Message}", e);
        }

        var offsets = new Dictionary<string, (int Start, int Length)>(StringComparer.OrdinalIgnoreCase);
        var start = 0;
        foreach (var layer in stored.Layers)
        {
            var length = stored.PooledDimension(layer.Shape);
            offsets[layer.Name] = (start, length);
            start += length;
        }

        var missing = layers.Where(l => !offsets.ContainsKey(l)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException($"{what} holds layers {metadata.Layers}, not {string.Join(",", missing)}; featurize with those layers to train on them.");
        }

        var selected = stored.WithLayers(layers);
        var selectedMetadata = metadata with { FeatureNode = selected.FeatureNodes, Dimension = selected.FeatureDimension, Layers = selected.LayerNames };
        return features.SelectColumns([.. layers.Select(l => offsets[l])], selectedMetadata);
    }
}
