namespace Pipeline.Models;

/// <summary>Memory order of a model's image input (and, for NHWC models, of its feature maps).</summary>
public enum TensorLayout
{
    /// <summary>Batch, channel, height, width: PyTorch/torchvision and the bundled ResNet18.</summary>
    Nchw,

    /// <summary>Batch, height, width, channel: Keras/TensorFlow models converted with tf2onnx.</summary>
    Nhwc,
}
