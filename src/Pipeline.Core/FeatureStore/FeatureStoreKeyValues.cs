using System.Globalization;
using System.Text.Json;
using Pipeline.Inference;
using Pipeline.Sources;

namespace Pipeline.FeatureStore;

/// <summary>
/// <see cref="FeatureStoreMetadata"/> as the <c>pipeline.*</c> key-value pairs of every part's
/// footer (and of every Arrow file's schema), so a part is self-describing on its own.
/// </summary>
internal static class FeatureStoreKeyValues
{
    public const string Model = "pipeline.model";
    public const string ModelSha256 = "pipeline.model_sha256";
    public const string FeatureNode = "pipeline.feature_node";
    public const string Dimension = "pipeline.dimension";
    public const string Preprocessing = "pipeline.preprocessing";
    public const string Classes = "pipeline.classes";
    public const string CreatedAt = "pipeline.created_at";
    public const string Layers = "pipeline.layers";
    public const string Precision = "pipeline.precision";
    public const string QuantizedGraph = "pipeline.quantized_graph";

    /// <summary>A sharded part's: how its rows' shard keys are made (<see cref="ShardKeyScheme.KindName"/>).</summary>
    public const string ShardKey = "pipeline.shard_key";

    /// <summary>A sharded part's: the root its keys are relative to, as the shard that wrote it saw it.</summary>
    public const string ShardRoot = "pipeline.shard_root";

    /// <summary>The footer entries that let <c>store verify</c> recompute a sharded part's keys.</summary>
    public static Dictionary<string, string> Of(ShardKeyScheme scheme) =>
        new(StringComparer.Ordinal) { [ShardKey] = scheme.KindName, [ShardRoot] = scheme.Root };

    /// <summary>The scheme a part's footer records; null for a part written before it was recorded (or of an unknown kind).</summary>
    public static ShardKeyScheme? ShardKeySchemeOf(IReadOnlyDictionary<string, string> keyValues) =>
        keyValues.TryGetValue(ShardKey, out var kind) && keyValues.TryGetValue(ShardRoot, out var root) ? ShardKeyScheme.Parse(kind, root) : null;

    public static Dictionary<string, string> ToKeyValues(FeatureStoreMetadata metadata)
    {
        var keyValues = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [Model] = metadata.ModelName,
            [ModelSha256] = metadata.ModelSha256,
            [FeatureNode] = metadata.FeatureNode,
            [Dimension] = metadata.Dimension.ToString(CultureInfo.InvariantCulture),
            [Preprocessing] = metadata.Preprocessing,
            [Classes] = JsonSerializer.Serialize(metadata.Classes),
            [CreatedAt] = metadata.CreatedAt.ToString("O", CultureInfo.InvariantCulture),
            [Precision] = PrecisionName(metadata.Precision),
        };

        // Written only when a run names layers, so a single-node store's footer is as it always was.
        if (metadata.Layers.Length > 0)
        {
            keyValues[Layers] = metadata.Layers;
        }

        if (metadata.QuantizedGraph.Length > 0)
        {
            keyValues[QuantizedGraph] = metadata.QuantizedGraph;
        }

        return keyValues;
    }

    /// <summary>How a precision is written: <c>fp32</c>, <c>int8</c>, as the option takes it.</summary>
    public static string PrecisionName(FeaturePrecision precision) => precision.ToString().ToLowerInvariant();

    /// <summary>Reads the metadata back; <paramref name="file"/> names the part in the error.</summary>
    public static FeatureStoreMetadata Parse(IReadOnlyDictionary<string, string> keyValues, string file)
    {
        string Get(string key) => keyValues.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"Feature store part '{file}' has no '{key}' key-value metadata, so it was not written by a Pipeline feature store.");

        var model = Get(Model);
        var dimensionText = Get(Dimension);
        if (!int.TryParse(dimensionText, NumberStyles.None, CultureInfo.InvariantCulture, out var dimension) || dimension < 1)
        {
            throw new InvalidDataException($"Feature store part '{file}' has '{Dimension}' = '{dimensionText}', which is not a positive integer.");
        }

        string[] classes;
        try
        {
            classes = JsonSerializer.Deserialize<string[]>(Get(Classes)) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Feature store part '{file}' has '{Classes}' that is not a JSON array of strings ({e.Message}).", e);
        }

        var createdText = Get(CreatedAt);
        if (!DateTimeOffset.TryParseExact(createdText, "O", CultureInfo.InvariantCulture, DateTimeStyles.None, out var createdAt))
        {
            throw new InvalidDataException($"Feature store part '{file}' has '{CreatedAt}' = '{createdText}', which is not an ISO 8601 round-trip timestamp.");
        }

        // Parts written before precisions existed have no key, and were all fp32.
        var precision = FeaturePrecision.Fp32;
        if (keyValues.TryGetValue(Precision, out var precisionText) && !Enum.TryParse(precisionText, ignoreCase: true, out precision))
        {
            throw new InvalidDataException($"Feature store part '{file}' has '{Precision}' = '{precisionText}', which is neither fp32 nor int8.");
        }

        return new FeatureStoreMetadata(model, Get(ModelSha256), Get(FeatureNode), dimension, Get(Preprocessing), classes, createdAt, keyValues.GetValueOrDefault(Layers, ""), precision, keyValues.GetValueOrDefault(QuantizedGraph, ""));
    }
}
