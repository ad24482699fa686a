namespace Pipeline.Fuzz;

/// <summary>Which reader <see cref="LoadTarget"/> feeds; the input's first byte modulo the count.</summary>
internal enum LoadMode
{
    /// <summary>The rest, as UTF-8, is a pipeline file.</summary>
    Pipeline,

    /// <summary>The rest is a <c>.csv</c> manifest.</summary>
    CsvManifest,

    /// <summary>The rest is a <c>.parquet</c> manifest.</summary>
    ParquetManifest,

    /// <summary>The second byte is the raw labels file's length; then the labels file, then the images file.</summary>
    Idx,

    /// <summary>As <see cref="Idx"/>, both files gzip-compressed by the harness, so mutations reach the decompressed bytes.</summary>
    IdxGzip,
}

internal static class LoadModes
{
    private const int Count = 5;

    public static LoadMode Of(byte first) => (LoadMode)(first % Count);
}
