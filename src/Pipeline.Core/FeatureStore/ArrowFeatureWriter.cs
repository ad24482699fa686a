using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace Pipeline.FeatureStore;

/// <summary>
/// Writes one part as an Arrow IPC file: the Parquet schema with <c>features</c> as
/// <c>FixedSizeList&lt;float&gt;(dimension)</c>, which Arrow has and Parquet lacks, so Arrow readers
/// get a dense matrix without list offsets. One record batch per Parquet row group; the numeric
/// columns and the feature matrix wrap the row group's own arrays, only strings are encoded.
/// </summary>
internal sealed class ArrowFeatureWriter : IAsyncDisposable
{
    private readonly FileStream _stream;
    private readonly Schema _schema;
    private readonly ArrowFileWriter _writer;
    private readonly FixedSizeListType _featuresType;
    private readonly ArrowStringColumn _paths;
    private readonly ArrowStringColumn _labels;

    public ArrowFeatureWriter(FileStream stream, int dimension, int maxRowsPerBatch, IReadOnlyDictionary<string, string> keyValues)
    {
        _stream = stream;
        _featuresType = new FixedSizeListType(new Field("item", FloatType.Default, nullable: false), dimension);
        _schema = CreateSchema(_featuresType, keyValues);
        _writer = new ArrowFileWriter(stream, _schema, leaveOpen: true);
        _paths = new ArrowStringColumn(maxRowsPerBatch);
        _labels = new ArrowStringColumn(maxRowsPerBatch);
    }

    private static Schema CreateSchema(FixedSizeListType featuresType, IReadOnlyDictionary<string, string> keyValues) => new(
        [
            new Field("path", StringType.Default, nullable: false),
            new Field("label", StringType.Default, nullable: false),
            new Field("label_index", Int32Type.Default, nullable: false),
            new Field("features", featuresType, nullable: false),
            new Field("width", Int32Type.Default, nullable: false),
            new Field("height", Int32Type.Default, nullable: false),
            new Field("file_bytes", Int64Type.Default, nullable: false),
            new Field("file_modified_unix_ms", Int64Type.Default, nullable: false),
        ],
        keyValues);

    /// <summary>
    /// Writes the group as a record batch. The batch wraps the group's arrays, which is safe because
    /// the IPC writer has serialised every buffer to the stream when this returns.
    /// </summary>
    public async Task WriteAsync(FeatureRowGroup group, CancellationToken ct)
    {
        var n = group.Count;
        var featureValues = new FloatArray(new ArrowBuffer(group.FeatureBytes), ArrowBuffer.Empty, n * group.Dimension, 0, 0);
        using var batch = new RecordBatch(
            _schema,
            [
                _paths.Encode(group.Paths),
                _labels.Encode(group.Labels),
                new Int32Array(new ArrowBuffer(group.LabelIndexBytes), ArrowBuffer.Empty, n, 0, 0),
                new FixedSizeListArray(_featuresType, n, featureValues, ArrowBuffer.Empty),
                new Int32Array(new ArrowBuffer(group.WidthBytes), ArrowBuffer.Empty, n, 0, 0),
                new Int32Array(new ArrowBuffer(group.HeightBytes), ArrowBuffer.Empty, n, 0, 0),
                new Int64Array(new ArrowBuffer(group.FileBytesBytes), ArrowBuffer.Empty, n, 0, 0),
                new Int64Array(new ArrowBuffer(group.FileModifiedBytes), ArrowBuffer.Empty, n, 0, 0),
            ],
            n);
        await _writer.WriteRecordBatchAsync(batch, ct).ConfigureAwait(false);
    }

    /// <summary>Writes the footer (without it readers fail with "Invalid magic") and makes the file durable.</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        await _writer.WriteEndAsync(ct).ConfigureAwait(false);
        await _stream.FlushAsync(ct).ConfigureAwait(false);
        _stream.Flush(flushToDisk: true);
    }

    public async ValueTask DisposeAsync()
    {
        _writer.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
    }
}
