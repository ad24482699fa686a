namespace Pipeline.FeatureStore;

/// <summary>The Parquet codec of a feature store's parts.</summary>
public enum FeatureStoreCompression
{
    /// <summary>No compression: the fastest write and read.</summary>
    None,

    /// <summary>Snappy: the default; cheap to write and read, and every Parquet reader supports it.</summary>
    Snappy,

    /// <summary>Gzip: smaller than Snappy, several times slower to write.</summary>
    Gzip,

    /// <summary>Zstandard: as small as Gzip and faster; use <see cref="System.IO.Compression.CompressionLevel.Fastest"/> or <see cref="System.IO.Compression.CompressionLevel.Optimal"/>.</summary>
    Zstd,

    /// <summary>LZ4 written as Parquet's <c>LZ4_RAW</c> codec (the deprecated Hadoop-framed <c>LZ4</c> is not offered).</summary>
    Lz4,
}
