namespace Pipeline.Models;

/// <summary>What happens to a 4-D feature map before it becomes a feature vector.</summary>
public enum FeaturePooling
{
    /// <summary>Average over the spatial dimensions: one value per channel (InceptionV3 → 2,048).</summary>
    GlobalAverage,

    /// <summary>Flatten the map in the model's layout, as Spark's DeepImageFeaturizer does (InceptionV3 → 131,072).</summary>
    None,

    /// <summary>
    /// A two-level spatial pyramid (He et al. 2014, SPP-net): the global average, then the averages of
    /// a 2×2 grid of cells (torch's adaptive_avg_pool2d bins, which overlap by one row on an odd
    /// side), 5 values per channel: the C global values first, then the 4C cell values in
    /// channel, row, column order. NCHW maps of at least 2×2 only.
    /// </summary>
    SpatialPyramid,
}
