namespace Pipeline.Models;

/// <summary>
/// How 0-255 pixel values become model input. The constants are those of Keras'
/// <c>imagenet_utils.preprocess_input</c> modes, which Spark's DeepImageFeaturizer applies.
/// </summary>
public enum Normalization
{
    /// <summary><c>x/127.5 − 1</c>, range [−1, 1] (Keras 'tf': InceptionV3, Xception).</summary>
    Tf,

    /// <summary>Subtract the ImageNet means B 103.939, G 116.779, R 123.68; no scaling (Keras 'caffe': ResNet50, VGG).</summary>
    Caffe,

    /// <summary><c>(x/255 − mean)/std</c>, mean R,G,B 0.485, 0.456, 0.406, std 0.229, 0.224, 0.225 (torchvision).</summary>
    Torch,

    /// <summary>Subtract a per-pixel mean tensor (0-255 scale) read from an ONNX initializer (ML.NET's ResNetPreprocess.onnx).</summary>
    MeanImage,
}
