
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
    /// <summary>True when the feature node is a spatial map (rank 4 with the batch axis) that <see cref="Pooling"/> applies to.</summary>
    public bool HasSpatialFeatureMap => FeatureShape.Count == 3;

    /// <summary>Channels of the feature node: the first axis for NCHW, the last for NHWC.</summary>
    public int FeatureChannels => HasSpatialFeatureMap && Layout == TensorLayout.Nhwc ? FeatureShape[2] : FeatureShape[0];

    /// <summary>Length of every feature vector after pooling.</summary>
    public int FeatureDimension =>
        HasSpatialFeatureMap && Pooling == FeaturePooling.GlobalAverage
            ? FeatureChannels
            : FeatureShape.Aggregate(1, (product, d) => checked(product * d));

    /// <summary>Floats in one preprocessed image (3 × InputSize²).</summary>
    public int ImageLength => 3 * InputSize * InputSize;
}
