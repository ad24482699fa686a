using Parquet;
using Pipeline.FeatureStore;

namespace Pipeline.Tests.FeatureStore;

public sealed class FeatureStoreReaderTests
{
    private const int Dimension = 8;

    [Fact]
    public async Task OpenAsync_MissingDirectory_ThrowsNamingIt()
    {
        using var dir = new TempFolder();
        var missing = Path.Combine(dir.Path, "nope");

        var e = await Assert.ThrowsAsync<DirectoryNotFoundException>(() => FeatureStoreReader.OpenAsync(missing));
        Assert.Equal($"Feature store directory '{missing}' does not exist.", e.Message);
    }

    [Fact]
    public async Task OpenAsync_NoParts_ThrowsNamingTheStore()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(Path.Combine(dir.Path, "features"));
        await File.WriteAllTextAsync(Path.Combine(dir.Path, "features", ".part-00000.parquet.tmp"), "half");

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => FeatureStoreReader.OpenAsync(dir.Path));
        Assert.StartsWith($"Feature store '{dir.Path}' has no parts", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_FeaturesFolderItself_IsAccepted()
    {
        using var dir = new TempFolder();
        await WriteRawPartAsync(dir, 0, SyntheticFeatures.Metadata(Dimension), [Full(0), Full(1)]);

        var reader = await FeatureStoreReader.OpenAsync(Path.Combine(dir.Path, "features"));
        Assert.Equal(2, reader.Count);
    }

    [Fact]
    public async Task ReadAllAsync_PartsWithoutRows_ThrowsEmptyStore()
    {
        using var dir = new TempFolder();
        await WriteRawPartAsync(dir, 0, SyntheticFeatures.Metadata(Dimension), []);

        var reader = await FeatureStoreReader.OpenAsync(dir.Path);
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAllAsync());
        Assert.Equal($"Feature store '{dir.Path}' has parts but no rows.", e.Message);
    }

    [Fact]
    public async Task ReadAllAsync_RowWithShortFeatureList_ThrowsNamingPartAndRow()
    {
        using var dir = new TempFolder();
        var part = await WriteRawPartAsync(dir, 0, SyntheticFeatures.Metadata(Dimension), [Full(0), Full(1), (SyntheticFeatures.Record(2), new float[Dimension - 1])]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(async () => await (await FeatureStoreReader.OpenAsync(dir.Path)).ReadAllAsync());
        Assert.Equal($"Feature store part '{part}' row 2 has 7 feature values, but the store's dimension is 8.", e.Message);
    }

    [Fact]
    public async Task ReadAllAsync_LongAndShortRowsSummingToTheDimension_ThrowsNamingTheFirst()
    {
        using var dir = new TempFolder();
        var part = await WriteRawPartAsync(
            dir,
            0,
            SyntheticFeatures.Metadata(Dimension),
            [Full(0), (SyntheticFeatures.Record(1), new float[Dimension + 1]), (SyntheticFeatures.Record(2), new float[Dimension - 1])]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(async () => await (await FeatureStoreReader.OpenAsync(dir.Path)).ReadAllAsync());
        Assert.Equal($"Feature store part '{part}' row 1 has 9 feature values, but the store's dimension is 8.", e.Message);
    }

    [Fact]
    public async Task ReadAllAsync_LabelIndexOutsideClasses_ThrowsNamingPartAndRow()
    {
        using var dir = new TempFolder();
        var bad = SyntheticFeatures.Record(1) with { LabelIndex = 7 };
        var part = await WriteRawPartAsync(dir, 0, SyntheticFeatures.Metadata(Dimension), [Full(0), (bad, new float[Dimension])]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(async () => await (await FeatureStoreReader.OpenAsync(dir.Path)).ReadAllAsync());
        Assert.Equal($"Feature store part '{part}' row 1 has label_index 7, outside the 3 classes of its metadata.", e.Message);
    }

    [Fact]
    public async Task OpenAsync_PartsOfDifferentDimensions_ThrowsNamingTheOddPart()
    {
        using var dir = new TempFolder();
        var first = await WriteRawPartAsync(dir, 0, SyntheticFeatures.Metadata(Dimension), [Full(0)]);
        var odd = await WriteRawPartAsync(dir, 1, SyntheticFeatures.Metadata(Dimension * 2), [(SyntheticFeatures.Record(1), new float[Dimension * 2])]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => FeatureStoreReader.OpenAsync(dir.Path));
        Assert.Equal(
            $"Feature store part '{odd}' was featurized by another featurizer than '{first}': it has pipeline.dimension {Dimension * 2} instead of {Dimension}; the store mixes featurizers, so featurize it again into an empty folder.",
            e.Message);
    }

    [Fact]
    public async Task OpenAsync_PartWithoutPipelineMetadata_ThrowsNamingPartAndKey()
    {
        using var dir = new TempFolder();
        var part = await WriteRawPartAsync(dir, 0, null, [Full(0)]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => FeatureStoreReader.OpenAsync(dir.Path));
        Assert.Equal($"Feature store part '{part}' has no 'pipeline.model' key-value metadata, so it was not written by a Pipeline feature store.", e.Message);
    }

    [Theory]
    [InlineData("definitely not parquet")]
    [InlineData("PAR1 a corrupt footer \u0010\u0000\u0000\u0000PAR1")]
    public async Task OpenAsync_NotParquet_ThrowsNamingThePart(string content)
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(Path.Combine(dir.Path, "features"));
        var part = Path.Combine(dir.Path, "features", "part-00000.parquet");
        await File.WriteAllTextAsync(part, content);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => FeatureStoreReader.OpenAsync(dir.Path));
        Assert.StartsWith($"Feature store part '{part}' cannot be read as Parquet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAllAsync_RowsOutOfPathOrderAndAPathWrittenTwice_ReturnsPathOrderWithTheNewerRow()
    {
        using var dir = new TempFolder();
        var (records, features) = SyntheticFeatures.Rows(0, 4, Dimension);
        int[] writeOrder = [3, 1, 0, 2];
        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None))
        {
            foreach (var row in writeOrder)
            {
                await writer.WriteAsync(records.AsMemory(row, 1), features.AsMemory(row * Dimension, Dimension), CancellationToken.None);
            }
        }

        // A later run featurizes row 1's image again (its file changed): same path, new values.
        var changed = Enumerable.Range(0, Dimension).Select(j => -1f - j).ToArray();
        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None))
        {
            await writer.WriteAsync(records.AsMemory(1, 1), changed, CancellationToken.None);
        }

        var set = await (await FeatureStoreReader.OpenAsync(dir.Path)).ReadAllAsync();

        Assert.Equal(Enumerable.Range(0, 4).Select(SyntheticFeatures.PathOf), set.Paths);
        Assert.Equal(changed, set.GetFeatures(1).ToArray());
        Assert.Equal(features.AsSpan(2 * Dimension, Dimension).ToArray(), set.GetFeatures(2).ToArray());
        Assert.Equal([0, 1, 2, 0], set.LabelIndices);
    }

    [Fact]
    public async Task ReadAllAsync_PartShrankAfterOpen_ThrowsNamingThePart()
    {
        using var dir = new TempFolder();
        await WriteRawPartAsync(dir, 0, SyntheticFeatures.Metadata(Dimension), [Full(0), Full(1), Full(2)]);
        var reader = await FeatureStoreReader.OpenAsync(dir.Path);

        // Another process rewrites the part between the footer count at open and the read.
        var part = await WriteRawPartAsync(dir, 0, SyntheticFeatures.Metadata(Dimension), [Full(0)]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAllAsync());
        Assert.Equal($"Feature store part '{part}' changed while it was being read.", e.Message);
    }

    [Fact]
    public async Task ReadAllAsync_DamagedFeaturesPage_ThrowsNamingThePartAndColumn()
    {
        using var dir = new TempFolder();
        var part = await WriteCompleteStoreAsync(dir);
        await DamagePageHeaderAsync(part, column: 3);
        var reader = await FeatureStoreReader.OpenAsync(dir.Path);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadAllAsync());

        Assert.StartsWith($"Feature store part '{part}' is damaged: its 'features/list/element' column cannot be decoded (", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("); delete the part and run featurize again to re-create its rows.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadRecordsAsync_DamagedPathPage_ThrowsNamingThePartAndColumn()
    {
        using var dir = new TempFolder();
        var part = await WriteCompleteStoreAsync(dir);
        await DamagePageHeaderAsync(part, column: 0);
        var reader = await FeatureStoreReader.OpenAsync(dir.Path);

        var e = await Assert.ThrowsAsync<InvalidDataException>(async () =>
        {
            await foreach (var _ in reader.ReadRecordsAsync())
            {
            }
        });

        Assert.StartsWith($"Feature store part '{part}' is damaged: its 'path' column cannot be decoded (", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subset_GivenRows_CopiesThoseRowsInOrder()
    {
        using var dir = new TempFolder();
        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 6, batch: 6);
        }

        var set = await (await FeatureStoreReader.OpenAsync(dir.Path)).ReadAllAsync();
        var subset = set.Subset([4, 1]);

        Assert.Equal(2, subset.Count);
        Assert.Equal([SyntheticFeatures.PathOf(4), SyntheticFeatures.PathOf(1)], subset.Paths);
        Assert.Equal([4 % 3, 1 % 3], subset.LabelIndices);
        Assert.Equal(set.GetFeatures(4).ToArray(), subset.GetFeatures(0).ToArray());
        Assert.Equal(set.GetFeatures(1).ToArray(), subset.GetFeatures(1).ToArray());
        Assert.Same(set.Classes, subset.Classes);
        Assert.Throws<ArgumentOutOfRangeException>(() => set.Subset([6]));
    }

    private static async Task<string> WriteCompleteStoreAsync(TempFolder dir)
    {
        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 20, batch: 20);
            await writer.CompleteAsync(CancellationToken.None);
        }

        return Path.Combine(dir.Path, "features", "part-00000.parquet");
    }

    /// <summary>
    /// Flips bytes of the first page header of a column chunk, found from the footer, as a bad
    /// disk sector or a torn copy would: the footer still reads, the page does not.
    /// </summary>
    private static async Task DamagePageHeaderAsync(string part, int column)
    {
        long offset;
        await using (var reader = await ParquetReader.CreateAsync(part))
        {
            using var group = reader.OpenRowGroupReader(0);
            offset = group.GetMetadata(reader.Schema.DataFields[column])!.MetaData!.DataPageOffset;
        }

        var bytes = await File.ReadAllBytesAsync(part);
        for (var i = 0; i < 16; i++)
        {
            bytes[offset + i] ^= 0x5A;
        }

        await File.WriteAllBytesAsync(part, bytes);
    }

    private static (FeatureRecord Record, float[] Features) Full(int row) =>
        (SyntheticFeatures.Record(row), Enumerable.Range(0, Dimension).Select(j => SyntheticFeatures.Feature(row, j)).ToArray());

    /// <summary>
    /// Writes a part directly with Parquet.Net, bypassing the writer's checks, so rows can have any
    /// feature length and the metadata can be missing.
    /// </summary>
    private static async Task<string> WriteRawPartAsync(TempFolder dir, int number, FeatureStoreMetadata? metadata, (FeatureRecord Record, float[] Features)[] rows)
    {
        var features = Path.Combine(dir.Path, "features");
        Directory.CreateDirectory(features);
        var part = Path.Combine(features, $"part-{number:D5}.parquet");
        await using var stream = File.Create(part);
        await using var writer = await ParquetWriter.CreateAsync(FeatureStoreSchema.Schema, stream);
        if (metadata is not null)
        {
            writer.CustomMetadata = FeatureStoreKeyValues.ToKeyValues(metadata);
        }

        if (rows.Length == 0)
        {
            return part;
        }

        var values = rows.SelectMany(r => r.Features).ToArray();
        var repetition = rows.SelectMany(r => r.Features.Select((_, j) => j == 0 ? 0 : 1)).ToArray();
        var definition = Enumerable.Repeat(FeatureStoreSchema.FeatureDefinitionLevel, values.Length).ToArray();
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(FeatureStoreSchema.Path, rows.Select(r => r.Record.Path).ToArray());
        await group.WriteAsync(FeatureStoreSchema.Label, rows.Select(r => r.Record.Label).ToArray());
        await group.WriteAsync<int>(FeatureStoreSchema.LabelIndex, rows.Select(r => r.Record.LabelIndex).ToArray());
        await group.WriteAllPartsAsync<float>(FeatureStoreSchema.FeatureElement, values, definition, repetition, CancellationToken.None);
        await group.WriteAsync<int>(FeatureStoreSchema.Width, rows.Select(r => r.Record.Width).ToArray());
        await group.WriteAsync<int>(FeatureStoreSchema.Height, rows.Select(r => r.Record.Height).ToArray());
        await group.WriteAsync<long>(FeatureStoreSchema.FileBytes, rows.Select(r => r.Record.FileBytes).ToArray());
        await group.WriteAsync<long>(FeatureStoreSchema.FileModifiedUnixMs, rows.Select(r => r.Record.FileModifiedUnixMs).ToArray());
        group.CompleteValidate();
        return part;
    }
}
