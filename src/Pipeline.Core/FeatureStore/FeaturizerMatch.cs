namespace Pipeline.FeatureStore;

/// <summary>Which keys of two <see cref="FeatureStoreMetadata"/> must agree, for <see cref="FeaturizerMismatch.ThrowIfDifferent"/>.</summary>
internal enum FeaturizerMatch
{
    /// <summary>
    /// The features are interchangeable: the same ONNX file (SHA-256), read at the same node with
    /// the same dimension and preprocessing. What a classifier needs; the zoo name is not compared,
    /// the SHA-256 is what counts, and the classes are mapped by name.
    /// </summary>
    Features,

    /// <summary>
    /// The rows can share one store: the features match, and so do the model name and the class
    /// list that every row's label index refers to.
    /// </summary>
    Store,
}
