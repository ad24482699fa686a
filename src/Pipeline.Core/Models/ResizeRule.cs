namespace Pipeline.Models;

/// <summary>How an image is brought to the model's input size.</summary>
public enum ResizeMode
{
    /// <summary>Scale both sides to the input size, ignoring aspect ratio: what Spark's featurizer and Keras' loaders do.</summary>
    Stretch,

    /// <summary>Scale the shorter side to <see cref="ResizeRule.ShorterSide"/>, then cut the centre: torchvision's eval transform.</summary>
    CenterCrop,
}

/// <summary>The resize step of a model's preprocessing.</summary>
/// <param name="Mode">Stretch or centre crop.</param>
/// <param name="ShorterSide">For <see cref="ResizeMode.CenterCrop"/>: the shorter side's length before the crop (256 for a 224 crop).</param>
public sealed record ResizeRule(ResizeMode Mode, int ShorterSide = 0)
{
    public static ResizeRule Stretch { get; } = new(ResizeMode.Stretch);
}
