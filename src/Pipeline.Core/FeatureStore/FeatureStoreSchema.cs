using Parquet.Schema;

namespace Pipeline.FeatureStore;

/// <summary>
/// The Parquet schema of a feature part. <c>features</c> is the standard 3-level LIST
/// (<c>features.list.element</c>, element required), which pyarrow reads as <c>list&lt;float&gt;</c>,
/// DuckDB as <c>FLOAT[]</c> and Spark as <c>array&lt;float&gt;</c>; Parquet has no fixed-size list,
/// so the length lives in <c>pipeline.dimension</c>. Every column is required: a row either has all
/// of them or is a reject.
/// </summary>
internal static class FeatureStoreSchema
{
    public static readonly DataField<string> Path = new("path", nullable: false);
    public static readonly DataField<string> Label = new("label", nullable: false);
    public static readonly DataField<int> LabelIndex = new("label_index");
    public static readonly DataField<float> FeatureElement = new("element", nullable: false);
    public static readonly ListField Features = new("features", FeatureElement);
    public static readonly DataField<int> Width = new("width");
    public static readonly DataField<int> Height = new("height");
    public static readonly DataField<long> FileBytes = new("file_bytes");
    public static readonly DataField<long> FileModifiedUnixMs = new("file_modified_unix_ms");

    /// <summary>Columns must be written in this order (Parquet.Net checks it).</summary>
    public static readonly ParquetSchema Schema = new(Path, Label, LabelIndex, Features, Width, Height, FileBytes, FileModifiedUnixMs);

    /// <summary>Definition level of a present element: optional list (1) + repeated list (1), element required.</summary>
    public static int FeatureDefinitionLevel => FeatureElement.MaxDefinitionLevel;
}
