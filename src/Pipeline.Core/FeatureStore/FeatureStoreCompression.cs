namespace Pipeline.FeatureStore;

/// <summary>The Parquet codec of a feature store's parts.</summary>
public enum FeatureStoreCompression
{
    /// <summary>No compression: the fastest write, about 15 % larger than Snappy on ResNet features.</summary>
    None,

    /// <summary>Snappy: the default; random 512-float rows write at hundreds of MB/s and every reader supports it.</summary>
    Snappy,

    /// <summary>Gzip: about 15 % smaller than Snappy, several times slower.</summary>
    Gzip,

    /// <summary>Zstandard: as small as Gzip and faster, at <see cref="System.IO.Compression.CompressionLevel.Fastest"/> or <see cref="System.IO.Compression.CompressionLevel.Optimal"/>.</summary>
    Zstd,

    /// <summary>LZ4 written as Parquet's <c>LZ4_RAW</c> codec (the deprecated Hadoop-framed <c>LZ4</c> is not offered).</summary>
    Lz4,
}
