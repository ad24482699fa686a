namespace Pipeline.Models;

/// <summary>What happens to a 4-D feature map before it becomes a feature vector.</summary>
public enum FeaturePooling
{
    /// <summary>Average over the spatial dimensions: one value per channel (InceptionV3 → 2,048).</summary>
    GlobalAverage,

    /// <summary>Flatten the map in the model's layout, as Spark's DeepImageFeaturizer does (InceptionV3 → 131,072).</summary>
    None,
}
