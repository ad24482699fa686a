namespace Pipeline.Models;

/// <summary>Order of the colour channels a model expects.</summary>
public enum ChannelOrder
{
    Rgb,

    /// <summary>Caffe-era weights (Keras ResNet50/VGG, the bundled ResNet18) were trained on OpenCV's BGR.</summary>
    Bgr,
}
