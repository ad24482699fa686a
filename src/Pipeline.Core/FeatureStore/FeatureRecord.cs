namespace Pipeline.FeatureStore;

/// <summary>
/// The scalar columns of one feature-store row; its feature vector travels beside it in a flat
/// buffer so that a batch of rows writes without a per-row array.
/// </summary>
/// <param name="Path">Image path or source identifier: the row's key.</param>
/// <param name="Label">Class name.</param>
/// <param name="LabelIndex">Index in the store's class list.</param>
/// <param name="Width">Original image width.</param>
/// <param name="Height">Original image height.</param>
/// <param name="FileBytes">Size of the image file (for IDX, of the IDX file): part of the featurization cache key.</param>
/// <param name="FileModifiedUnixMs">Last write time of that file, Unix milliseconds UTC: part of the cache key.</param>
public readonly record struct FeatureRecord(
    string Path,
    string Label,
    int LabelIndex,
    int Width,
    int Height,
    long FileBytes,
    long FileModifiedUnixMs);
