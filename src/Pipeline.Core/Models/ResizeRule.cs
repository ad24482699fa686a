namespace Pipeline.Models;

/// <summary>How an image is brought to the model's input size.</summary>
public enum ResizeMode
{
    /// <summary>Scale both sides to the input size, ignoring aspect ratio: what Spark's featurizer and Keras' loaders do.</summary>
    Stretch,

    /// <summary>Scale the shorter side to <see cref="ResizeRule.ShorterSide"/>, then cut the centre: torchvision's eval transform.</summary>
    CenterCrop,

    /// <summary>
    /// Letterbox: pad the shorter side with black (0, 0, 0) to a square, the image centred, then scale
    /// the square to the input size. Keeps the aspect ratio and every pixel, unlike the other two.
    /// </summary>
    Pad,
}

/// <summary>The resize step of a model's preprocessing.</summary>
/// <param name="Mode">Stretch, pad or centre crop.</param>
/// <param name="ShorterSide">For <see cref="ResizeMode.CenterCrop"/>: the shorter side's length before the crop (256 for a 224 crop).</param>
public sealed record ResizeRule(ResizeMode Mode, int ShorterSide = 0)
{
    public static ResizeRule Stretch { get; } = new(ResizeMode.Stretch);

    public static ResizeRule Pad { get; } = new(ResizeMode.Pad);
}
