using Parquet.Schema;

namespace Pipeline.FeatureStore;

/// <summary>The Parquet schema of <c>rejects.parquet</c>: three required strings.</summary>
internal static class RejectsSchema
{
    public static readonly DataField<string> Path = new("path", nullable: false);
    public static readonly DataField<string> Stage = new("stage", nullable: false);
    public static readonly DataField<string> Reason = new("reason", nullable: false);
    public static readonly ParquetSchema Schema = new(Path, Stage, Reason);
}
