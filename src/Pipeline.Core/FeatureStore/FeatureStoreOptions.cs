using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Parquet;
using Pipeline.Settings;

namespace Pipeline.FeatureStore;

/// <summary>
/// How a <see cref="FeatureStoreWriter"/> lays out its Parquet parts. Every setter validates, so an
/// instance that exists is valid.
/// </summary>
public sealed record FeatureStoreOptions
{
    /// <summary>Largest accepted <see cref="RowGroupSize"/>.</summary>
    public static int MaxRowGroupSize => (int)SettingCatalog.Store.RowGroupSize.Range.Max;

    private int _rowGroupSize = SettingCatalog.Store.RowGroupSize.Default;
    private FeatureStoreCompression _compression = SettingCatalog.Store.Compression.DefaultAs<FeatureStoreCompression>();
    private CompressionLevel _compressionLevel = CompressionLevel.Optimal;
    private int _rowsPerPart = SettingCatalog.Featurize.RowsPerPart.Default;
    private TimeSpan _partInterval = TimeSpan.FromSeconds(SettingCatalog.Featurize.PartSeconds.Default);

    /// <summary>
    /// Rows per Parquet row group (default 4096). With 512-float features a group holds 8 MiB of
    /// floats, so the writer's pre-allocated buffers (values plus the two level arrays Parquet.Net
    /// wants, about 24 MiB) stay small while pages are big enough to compress well and footers stay
    /// few; DuckDB and Spark also parallelise reads by row group, which 4096 rows keeps useful on
    /// stores of tens of thousands of images.
    /// </summary>
    public int RowGroupSize
    {
        get => _rowGroupSize;
        init => _rowGroupSize = InRange(value, SettingCatalog.Store.RowGroupSize, nameof(RowGroupSize));
    }

    /// <summary>The codec (default <see cref="FeatureStoreCompression.Snappy"/>).</summary>
    public FeatureStoreCompression Compression
    {
        get => _compression;
        init => _compression = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(Compression), value, $"{nameof(Compression)} must be one of none, snappy, gzip, zstd, lz4 (was {value}).");
    }

    /// <summary>
    /// The codec's level (default <see cref="System.IO.Compression.CompressionLevel.Optimal"/>). Always
    /// passed explicitly because Parquet.Net 6.1.0 defaults to <c>SmallestSize</c>, which makes Zstd
    /// about 25 times slower, and 6.1.1 changes that default.
    /// </summary>
    public CompressionLevel CompressionLevel
    {
        get => _compressionLevel;
        init => _compressionLevel = Enum.IsDefined(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(CompressionLevel), value, $"{nameof(CompressionLevel)} must be one of Optimal, Fastest, NoCompression, SmallestSize (was {value}).");
    }

    /// <summary>Rows after which a part is closed and the next one begins (default 10 000).</summary>
    public int RowsPerPart
    {
        get => _rowsPerPart;
        init => _rowsPerPart = InRange(value, SettingCatalog.Featurize.RowsPerPart, nameof(RowsPerPart));
    }

    /// <summary>
    /// Age after which a part is closed at the next write (default 30 s, at most a day), so that a
    /// killed run loses at most about this much work: only closed parts survive a crash.
    /// <see cref="TimeSpan.Zero"/> closes a part after every write.
    /// </summary>
    public TimeSpan PartInterval
    {
        get => _partInterval;
        init => _partInterval = SettingCatalog.Featurize.PartSeconds.Allows(value.TotalSeconds)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(PartInterval), value, $"{nameof(PartInterval)} must be {SettingCatalog.Featurize.PartSeconds.Range} seconds (was {value}).");
    }

    /// <summary>Also write every part as an Arrow IPC file with a fixed-size-list feature column (default false).</summary>
    public bool WriteArrow { get; init; } = SettingCatalog.Featurize.Arrow.Default;

    /// <summary>
    /// Footer key-values every part the writer closes carries besides the featurizer's: a shard's
    /// attempt records how its keys are made (<see cref="FeatureStoreKeyValues.Of"/>). Not carried
    /// into merged parts, which hold rows of several shards (a part renamed by hard link keeps its footer,
    /// but its unsharded name names no shard to check).
    /// </summary>
    internal IReadOnlyDictionary<string, string>? PartKeyValues { get; init; }

    /// <summary>The Parquet.Net settings of every part written with these options, new or compacted.</summary>
    internal ParquetOptions ToParquetOptions() => new()
    {
        CompressionMethod = Compression switch
        {
            FeatureStoreCompression.None => CompressionMethod.None,
            FeatureStoreCompression.Snappy => CompressionMethod.Snappy,
            FeatureStoreCompression.Gzip => CompressionMethod.Gzip,
            FeatureStoreCompression.Zstd => CompressionMethod.Zstd,
            FeatureStoreCompression.Lz4 => CompressionMethod.Lz4Raw,
            _ => throw new UnreachableException(),
        },
        CompressionLevel = CompressionLevel,
    };

    private static int InRange(int value, NumberSetting<int> setting, string key) =>
        setting.Allows(value)
            ? value
            : throw new ArgumentOutOfRangeException(key, value, string.Create(CultureInfo.InvariantCulture, $"{key} must be between {setting.Range.Min} and {setting.Range.Max} (was {value})."));
}
