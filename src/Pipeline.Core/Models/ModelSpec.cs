
namespace Pipeline.Models;

/// <summary>One entry of the model zoo (<c>config/models.yaml</c>): the ONNX file and everything needed to featurize with it.</summary>
/// <param name="Name">Zoo key, e.g. <c>resnet18</c>.</param>
/// <param name="File">ONNX file name under the models directory, or a path under <see cref="AppContext.BaseDirectory"/> when <paramref name="Bundled"/>.</param>
/// <param name="Bundled">True when the file ships with the application (the ML.NET ResNet18 package).</param>
/// <param name="InputName">Name of the graph's image input.</param>
/// <param name="InputSize">Square input side in pixels.</param>
/// <param name="Layout">Input (and feature map) memory order.</param>
/// <param name="ChannelOrder">Colour order the weights were trained on.</param>
/// <param name="Normalization">Pixel normalisation.</param>
/// <param name="MeanImage">Mean tensor location; required for <see cref="Normalization.MeanImage"/>, otherwise null.</param>
/// <param name="Resize">How decoded images are brought to the input size.</param>
/// <param name="FeatureNode">Graph tensor the features are read from.</param>
/// <param name="FeatureShape">Shape of that tensor without the batch axis, in the model's layout (<c>[2048, 8, 8]</c> NCHW, <c>[10, 10, 2048]</c> NHWC, or <c>[512]</c>).</param>
/// <param name="Pooling">How a 4-D feature map becomes a vector.</param>
/// <param name="HowToGet">One paragraph telling the user how to obtain the file.</param>
public sealed record ModelSpec(
    string Name,
    string File,
    bool Bundled,
    string InputName,
    int InputSize,
    TensorLayout Layout,
    ChannelOrder ChannelOrder,
    Normalization Normalization,
    MeanImageSource? MeanImage,
    ResizeRule Resize,
    string FeatureNode,
    IReadOnlyList<int> FeatureShape,
    FeaturePooling Pooling,
    string HowToGet)
{
    /// <summary>The entry's named feature nodes that a run may read instead of <see cref="FeatureNode"/> (zoo key <c>layers</c>), in zoo order.</summary>
    public IReadOnlyList<FeatureLayer> AvailableLayers { get; init; } = [];

    /// <summary>
    /// The layers this run reads, pooled each by <see cref="Pooling"/> and concatenated in this
    /// order; empty reads <see cref="FeatureNode"/> alone, as before layers existed.
    /// </summary>
    public IReadOnlyList<FeatureLayer> Layers { get; init; } = [];

    /// <summary>The layer names joined by commas, as the store metadata records them; empty when <see cref="Layers"/> is.</summary>
    public string LayerNames => string.Join(",", Layers.Select(l => l.Name));

    /// <summary>The graph tensors the features are read from: <see cref="FeatureNode"/>, or the layers' nodes joined by commas.</summary>
    public string FeatureNodes => Layers.Count == 0 ? FeatureNode : string.Join(",", Layers.Select(l => l.Node));

    /// <summary>True when the feature node is a spatial map (rank 4 with the batch axis) that <see cref="Pooling"/> applies to.</summary>
    public bool HasSpatialFeatureMap => IsSpatial(FeatureShape);

    /// <summary>Channels of the feature node: the first axis for NCHW, the last for NHWC.</summary>
    public int FeatureChannels => Channels(FeatureShape);

    /// <summary>Length of every feature vector after pooling: the sum over <see cref="Layers"/> when a run names them.</summary>
    public int FeatureDimension =>
        Layers.Count == 0 ? PooledDimension(FeatureShape) : Layers.Aggregate(0, (sum, layer) => checked(sum + PooledDimension(layer.Shape)));

    /// <summary>Floats in one preprocessed image (3 × InputSize²).</summary>
    public int ImageLength => 3 * InputSize * InputSize;

    /// <summary>
    /// This spec reading <paramref name="names"/> (in that order) from <see cref="AvailableLayers"/>;
    /// an empty list reads <see cref="FeatureNode"/> again.
    /// </summary>
    /// <exception cref="ModelZooException">A name is unknown or repeated, or the pooling cannot apply to a layer.</exception>
    public ModelSpec WithLayers(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var layers = new List<FeatureLayer>(names.Count);
        foreach (var name in names)
        {
            var layer = AvailableLayers.FirstOrDefault(l => string.Equals(l.Name, name, StringComparison.OrdinalIgnoreCase))
                ?? throw new ModelZooException(AvailableLayers.Count == 0
                    ? $"Model '{Name}' names no layers in the zoo, so layer '{name}' cannot be read; leave layers out to read its feature node '{FeatureNode}'."
                    : $"Model '{Name}' has no layer '{name}'; its layers are: {string.Join(", ", AvailableLayers.Select(l => l.Name))}.");
            if (layers.Contains(layer))
            {
                throw new ModelZooException($"Layer '{layer.Name}' of model '{Name}' is named twice; each layer is read once.");
            }

            layers.Add(layer);
        }

        var spec = this with { Layers = layers };
        spec.EnsurePoolingApplies();
        return spec;
    }

    /// <summary>
    /// This spec resizing by <paramref name="mode"/> (a run's <c>--resize</c> / <c>model.resize</c>).
    /// The zoo's own mode keeps its rule; a centre crop the zoo does not define scales the shorter
    /// side to <see cref="InputSize"/> and cuts the centre square (ML.NET's iso-crop), so it loses no
    /// more of the image than the aspect ratio forces.
    /// </summary>
    public ModelSpec WithResize(ResizeMode mode) => mode == Resize.Mode ? this : this with
    {
        Resize = mode switch
        {
            ResizeMode.Stretch => ResizeRule.Stretch,
            ResizeMode.Pad => ResizeRule.Pad,
            ResizeMode.CenterCrop => new ResizeRule(ResizeMode.CenterCrop, InputSize),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown resize mode."),
        },
    };

    /// <summary>Refuses a pooling that cannot apply to the maps read: a spatial pyramid needs NCHW maps of at least 2×2.</summary>
    /// <exception cref="ModelZooException">The pooling is a spatial pyramid and a map is NHWC, not spatial or smaller than 2×2.</exception>
    public void EnsurePoolingApplies()
    {
        if (Pooling != FeaturePooling.SpatialPyramid)
        {
            return;
        }

        IEnumerable<(string Node, IReadOnlyList<int> Shape)> maps = Layers.Count == 0 ? [(FeatureNode, FeatureShape)] : Layers.Select(l => (l.Node, l.Shape));
        foreach (var (node, shape) in maps)
        {
            if (Layout != TensorLayout.Nchw || !IsSpatial(shape) || shape[1] < 2 || shape[2] < 2)
            {
                throw new ModelZooException(
                    $"Pooling spatial-pyramid needs an NCHW map of at least 2x2, but '{node}' of model '{Name}' is [{string.Join(",", shape)}] ({Layout}); use global-average, or name layers with larger maps.");
            }
        }
    }

    /// <summary>Length of one map's vector after <see cref="Pooling"/>.</summary>
    internal int PooledDimension(IReadOnlyList<int> shape) =>
        !IsSpatial(shape) || Pooling == FeaturePooling.None
            ? shape.Aggregate(1, (product, d) => checked(product * d))
            : Pooling == FeaturePooling.SpatialPyramid ? checked(5 * Channels(shape)) : Channels(shape);

    private static bool IsSpatial(IReadOnlyList<int> shape) => shape.Count == 3;

    private int Channels(IReadOnlyList<int> shape) => IsSpatial(shape) && Layout == TensorLayout.Nhwc ? shape[2] : shape[0];
}
