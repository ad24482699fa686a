using Apache.Arrow;
using Apache.Arrow.Ipc;
using DuckDB.NET.Data;
using Pipeline.FeatureStore;

namespace Pipeline.Tests.FeatureStore;

/// <summary>
/// The store read by engines that share no code with Parquet.Net: DuckDB for Parquet, Apache.Arrow's
/// IPC reader for the Arrow parts. Values must be bit-equal (floats are compared exactly: nothing
/// in between rounds).
/// </summary>
public sealed class FeatureStoreIndependentReaderTests
{
    private const int Dimension = 12;
    private const int Rows = 10;

    [Fact]
    public async Task DuckDb_ReadsEveryValueOfAMultiPartStore()
    {
        using var dir = new TempFolder();
        await WriteStoreAsync(dir);
        var glob = Path.Combine(dir.Path, "features", "*.parquet");

        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT path, label, label_index, features, width, height, file_bytes, file_modified_unix_ms FROM read_parquet('{glob}') ORDER BY path";
        using var reader = command.ExecuteReader();
        var expected = Enumerable.Range(0, Rows).OrderBy(SyntheticFeatures.PathOf, StringComparer.Ordinal).ToArray();
        var row = 0;
        while (reader.Read())
        {
            var source = expected[row];
            var record = SyntheticFeatures.Record(source);
            Assert.Equal(record.Path, reader.GetString(0));
            Assert.Equal(record.Label, reader.GetString(1));
            Assert.Equal(record.LabelIndex, reader.GetInt32(2));
            var features = Assert.IsType<List<float>>(reader.GetValue(3));
            Assert.Equal(Enumerable.Range(0, Dimension).Select(j => SyntheticFeatures.Feature(source, j)), features);
            Assert.Equal(record.Width, reader.GetInt32(4));
            Assert.Equal(record.Height, reader.GetInt32(5));
            Assert.Equal(record.FileBytes, reader.GetInt64(6));
            Assert.Equal(record.FileModifiedUnixMs, reader.GetInt64(7));
            row++;
        }

        Assert.Equal(Rows, row);
    }

    [Fact]
    public async Task DuckDb_SeesTheListSchemaAndKeyValueMetadataOfEveryPart()
    {
        using var dir = new TempFolder();
        await WriteStoreAsync(dir);
        var glob = Path.Combine(dir.Path, "features", "*.parquet");

        using var connection = new DuckDBConnection("Data Source=:memory:");
        connection.Open();
        using var describe = connection.CreateCommand();
        describe.CommandText = $"SELECT column_type FROM (DESCRIBE SELECT features FROM read_parquet('{glob}'))";
        Assert.Equal("FLOAT[]", describe.ExecuteScalar());

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT file_name, key, value FROM parquet_kv_metadata('{glob}')";
        using var reader = command.ExecuteReader();
        var byFile = new Dictionary<string, Dictionary<string, string>>();
        while (reader.Read())
        {
            var file = Path.GetFileName(reader.GetString(0));
            var pairs = byFile.TryGetValue(file, out var existing) ? existing : byFile[file] = [];
            pairs[DuckDbQuery.Utf8(reader.GetValue(1))] = DuckDbQuery.Utf8(reader.GetValue(2));
        }

        Assert.Equal(["part-00000.parquet", "part-00001.parquet"], byFile.Keys.Order(StringComparer.Ordinal));
        foreach (var pairs in byFile.Values)
        {
            Assert.Equal("resnet18", pairs["pipeline.model"]);
            Assert.Equal("Pooling395_Output_0", pairs["pipeline.feature_node"]);
            Assert.Equal("12", pairs["pipeline.dimension"]);
            Assert.Equal("[\"cat\",\"dog\",\"eel\"]", pairs["pipeline.classes"]);
            Assert.Equal("2026-01-02T03:04:05.6780000+01:00", pairs["pipeline.created_at"]);
            Assert.Equal(SyntheticFeatures.Metadata(Dimension).ModelSha256, pairs["pipeline.model_sha256"]);
            Assert.Equal(SyntheticFeatures.Metadata(Dimension).Preprocessing, pairs["pipeline.preprocessing"]);
        }
    }

    [Fact]
    public async Task ArrowFileReader_ReadsEveryValueAsFixedSizeLists()
    {
        using var dir = new TempFolder();
        await WriteStoreAsync(dir);
        var parts = FeatureStoreLayout.FindParts(Path.Combine(dir.Path, "features"), ".arrow");
        Assert.Equal(2, parts.Count);

        var row = 0;
        foreach (var (_, part) in parts)
        {
            await using var stream = File.OpenRead(part);
            using var reader = new ArrowFileReader(stream);
            var schema = reader.Schema;
            Assert.Equal("12", schema.Metadata["pipeline.dimension"]);
            var featuresType = Assert.IsType<Apache.Arrow.Types.FixedSizeListType>(schema.GetFieldByName("features").DataType);
            Assert.Equal(Dimension, featuresType.ListSize);
            while (await reader.ReadNextRecordBatchAsync() is { } batch)
            {
                using (batch)
                {
                    var paths = (StringArray)batch.Column("path");
                    var labels = (StringArray)batch.Column("label");
                    var labelIndices = (Int32Array)batch.Column("label_index");
                    var features = (FixedSizeListArray)batch.Column("features");
                    var values = ((FloatArray)features.Values).Values;
                    var widths = (Int32Array)batch.Column("width");
                    var heights = (Int32Array)batch.Column("height");
                    var fileBytes = (Int64Array)batch.Column("file_bytes");
                    var modified = (Int64Array)batch.Column("file_modified_unix_ms");
                    for (var i = 0; i < batch.Length; i++, row++)
                    {
                        var record = SyntheticFeatures.Record(row);
                        Assert.Equal(record.Path, paths.GetString(i));
                        Assert.Equal(record.Label, labels.GetString(i));
                        Assert.Equal(record.LabelIndex, labelIndices.GetValue(i));
                        Assert.Equal(record.Width, widths.GetValue(i));
                        Assert.Equal(record.Height, heights.GetValue(i));
                        Assert.Equal(record.FileBytes, fileBytes.GetValue(i));
                        Assert.Equal(record.FileModifiedUnixMs, modified.GetValue(i));
                        for (var j = 0; j < Dimension; j++)
                        {
                            Assert.Equal(SyntheticFeatures.Feature(row, j), values[(i * Dimension) + j]);
                        }
                    }
                }
            }
        }

        Assert.Equal(Rows, row);
    }

    /// <summary>10 rows, row groups of 4 and parts of 8: two parts, three row groups, the last half full.</summary>
    private static async Task WriteStoreAsync(TempFolder dir)
    {
        var options = new FeatureStoreOptions { RowGroupSize = 4, RowsPerPart = 8, WriteArrow = true };
        await using var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None);
        await SyntheticFeatures.WriteRowsAsync(writer, 0, Rows, batch: 3);
        await writer.CompleteAsync(CancellationToken.None);
    }
}
