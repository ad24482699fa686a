using Pipeline.Inference;

namespace Pipeline.FeatureStore;

/// <summary>
/// What produced a feature store, written into every part file's key-value metadata so that a
/// store is self-describing and a classifier can refuse features of another featurizer.
/// </summary>
/// <param name="ModelName">Zoo name, e.g. <c>resnet18</c>.</param>
/// <param name="ModelSha256">SHA-256 of the ONNX file, lowercase hex.</param>
/// <param name="FeatureNode">The graph tensor the features were read from; with <paramref name="Layers"/>, their tensors joined by commas.</param>
/// <param name="Dimension">Length of every feature vector.</param>
/// <param name="Preprocessing">Canonical description of the preprocessing (resize, layout, channel order, normalisation, pooling).</param>
/// <param name="Classes">Class names in label-index order.</param>
/// <param name="CreatedAt">When the store was started.</param>
/// <param name="Layers">The zoo layers read, pooled and concatenated in this order, joined by commas (<c>stage1,stage4</c>); empty for the zoo's single feature node, and for stores made before layers existed.</param>
/// <param name="Precision">fp32 or int8 (a store written before precisions existed is fp32).</param>
/// <param name="QuantizedGraph">With int8, the cache key of the quantized graph that made the features (see <see cref="Inference.QuantizedModelCache"/>): two calibrations give two graphs, whose features differ; empty for fp32.</param>
public sealed record FeatureStoreMetadata(
    string ModelName,
    string ModelSha256,
    string FeatureNode,
    int Dimension,
    string Preprocessing,
    IReadOnlyList<string> Classes,
    DateTimeOffset CreatedAt,
    string Layers = "",
    FeaturePrecision Precision = FeaturePrecision.Fp32,
    string QuantizedGraph = "");
