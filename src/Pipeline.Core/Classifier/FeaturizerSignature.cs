using System.Security.Cryptography;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Preprocessing;

namespace Pipeline.Classifier;

/// <summary>
/// The featurizer a classifier expects its features from: a linear head is only meaningful on
/// features of the same ONNX file, read at the same node with the same preprocessing.
/// </summary>
/// <param name="ModelName">Zoo name, e.g. <c>resnet18</c>.</param>
/// <param name="ModelSha256">SHA-256 of the ONNX file, lowercase hex.</param>
/// <param name="FeatureNode">The graph tensor the features were read from; with <paramref name="Layers"/>, their tensors joined by commas.</param>
/// <param name="Dimension">Length of every feature vector.</param>
/// <param name="Preprocessing">The canonical preprocessing description (<see cref="TensorPreprocessor.Describe(ModelSpec)"/>).</param>
/// <param name="Layers">The zoo layers read, in concatenation order, joined by commas; empty for the zoo's single feature node (and in model files made before layers existed).</param>
/// <param name="Precision">fp32 or int8: the quantized featurizer's features differ from the float one's, so a head fits one of them (a model.json written before precisions existed is fp32).</param>
/// <param name="QuantizedGraph">With int8, the cache key of the quantized graph the training features came from, which <c>predict</c> featurizes with again; empty for fp32.</param>
public sealed record FeaturizerSignature(string ModelName, string ModelSha256, string FeatureNode, int Dimension, string Preprocessing, string Layers = "", FeaturePrecision Precision = FeaturePrecision.Fp32, string QuantizedGraph = "")
{
    public static FeaturizerSignature FromMetadata(FeatureStoreMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        return new(metadata.ModelName, metadata.ModelSha256, metadata.FeatureNode, metadata.Dimension, metadata.Preprocessing, metadata.Layers, metadata.Precision, metadata.QuantizedGraph);
    }

    /// <summary>
    /// Refuses features described by <paramref name="found"/> unless this featurizer made them,
    /// with the one featurizer comparison and message of <see cref="FeaturizerMismatch"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The ONNX SHA-256, feature node, dimension or preprocessing differs.</exception>
    internal void ThrowIfOtherThan(FeatureStoreMetadata found, string place, string reference, string remedy)
    {
        ArgumentNullException.ThrowIfNull(found);
        var expected = new FeatureStoreMetadata(ModelName, ModelSha256, FeatureNode, Dimension, Preprocessing, found.Classes, found.CreatedAt, Layers, Precision, QuantizedGraph);
        FeaturizerMismatch.ThrowIfDifferent(expected, found, FeaturizerMatch.Features, place, reference, remedy);
    }

    /// <summary>
    /// Finds this featurizer in the zoo: the entry named <see cref="ModelName"/>, with the resize
    /// policy and pooling whose preprocessing description matches (a store may have been featurized
    /// with a <c>--resize</c> or a pooling other than the zoo's default), so predict decodes as the
    /// training features were. The ONNX file's hash is not checked here; see
    /// <see cref="EnsureSameFileAsync"/>.
    /// </summary>
    /// <exception cref="ModelZooException">The zoo has no such model, its file is missing, it lacks one of <see cref="Layers"/>, or no resize and pooling reproduce <see cref="Preprocessing"/>.</exception>
    public ResolvedModel Resolve(ModelZoo zoo, string modelsDirectory)
    {
        ArgumentNullException.ThrowIfNull(zoo);
        var resolved = zoo.Resolve(ModelName, modelsDirectory);
        return resolved with { Spec = Match(resolved.Spec, zoo.SourcePath) };
    }

    /// <summary>The layer names of <see cref="Layers"/>, in order; empty for the zoo's feature node.</summary>
    internal IReadOnlyList<string> LayerList => Layers.Length == 0 ? [] : Layers.Split(',');

    /// <summary><see cref="Resolve"/> without looking for the files: <paramref name="zooSpec"/> with the layers, resize and pooling that reproduce this featurizer.</summary>
    /// <exception cref="ModelZooException">The entry lacks one of <see cref="Layers"/>, or no resize and pooling reproduce <see cref="Preprocessing"/>.</exception>
    internal ModelSpec Match(ModelSpec zooSpec, string zooPath)
    {
        ArgumentNullException.ThrowIfNull(zooSpec);
        var layered = zooSpec.WithLayers(LayerList);
        foreach (var resize in Enum.GetValues<ResizeMode>().Prepend(layered.Resize.Mode))
        {
            foreach (var pooling in Enum.GetValues<FeaturePooling>().Prepend(layered.Pooling))
            {
                var spec = layered.WithResize(resize) with { Pooling = pooling };
                if (TensorPreprocessor.Describe(spec) == Preprocessing && spec.FeatureDimension == Dimension && spec.FeatureNodes == FeatureNode)
                {
                    return spec;
                }
            }
        }

        throw new ModelZooException(
            $"Zoo model '{ModelName}' ({zooPath}) no longer featurizes as the classifier expects: it gives '{TensorPreprocessor.Describe(layered)}' at '{layered.FeatureNodes}' ({layered.FeatureDimension} values), the classifier needs '{Preprocessing}' at '{FeatureNode}' ({Dimension} values).");
    }

    /// <summary>
    /// Refuses a zoo file other than the one the features were made with: the names, nodes and
    /// preprocessing of <see cref="Resolve"/> can all agree while the file's weights differ, and a
    /// head on another file's features predicts nonsense without an error.
    /// </summary>
    /// <param name="onnxPath">The zoo file that would featurize.</param>
    /// <param name="classifier">What expects this featurizer, naming its path: the message's subject, e.g. <c>Model '/runs/m'</c>.</param>
    /// <param name="cancellationToken">Cancels hashing the file.</param>
    /// <exception cref="InvalidDataException">The file's SHA-256 is not <see cref="ModelSha256"/>.</exception>
    internal async Task EnsureSameFileAsync(string onnxPath, string classifier, CancellationToken cancellationToken)
    {
        var sha = await ComputeSha256Async(onnxPath, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(sha, ModelSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException(
                $"{classifier} was trained on features of ONNX SHA-256 {ModelSha256} ({ModelName}), but '{onnxPath}' has SHA-256 {sha}; its head cannot be applied to that featurizer's features.");
        }
    }

    /// <summary>The SHA-256 of an ONNX file, lowercase hex, as <see cref="Inference.FeatureExtractor.ModelSha256"/> computes it.</summary>
    internal static async Task<string> ComputeSha256Async(string onnxPath, CancellationToken cancellationToken)
    {
        var stream = new FileStream(onnxPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
        await using var _ = stream.ConfigureAwait(false);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false));
    }
}
