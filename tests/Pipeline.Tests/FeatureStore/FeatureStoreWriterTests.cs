using Parquet;
using Pipeline.FeatureStore;

namespace Pipeline.Tests.FeatureStore;

public sealed class FeatureStoreWriterTests
{
    private const int Dimension = 16;

    [Fact]
    public async Task WriteAsync_TwoAndAHalfRowGroupsAcrossTwoParts_ReaderReturnsEveryValue()
    {
        using var dir = new TempFolder();
        var options = new FeatureStoreOptions { RowGroupSize = 4, RowsPerPart = 8, PartInterval = TimeSpan.FromHours(1) };
        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None))
        {
            // Batches of 3 straddle both row-group and part boundaries.
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 10, batch: 3);
            await writer.CompleteAsync(CancellationToken.None);
            Assert.Equal(10, writer.RowsWritten);
            Assert.Equal(2, writer.PartsWritten);
        }

        var reader = await FeatureStoreReader.OpenAsync(dir.Path);
        Assert.True(reader.IsComplete);
        Assert.Equal(["part-00000.parquet", "part-00001.parquet"], reader.PartFiles.Select(Path.GetFileName));
        Assert.Equal(SyntheticFeatures.Metadata(Dimension) with { Classes = reader.Metadata.Classes }, reader.Metadata);
        Assert.Equal(SyntheticFeatures.Classes, reader.Metadata.Classes);
        Assert.Equal(new[] { 4L, 4L }, await RowGroupSizesAsync(reader.PartFiles[0]));
        Assert.Equal(new[] { 2L }, await RowGroupSizesAsync(reader.PartFiles[1]));

        var set = await reader.ReadAllAsync();
        Assert.Equal(10, set.Count);
        Assert.Equal(Dimension, set.Dimension);
        Assert.Equal(SyntheticFeatures.Classes, set.Classes.Names);
        for (var row = 0; row < 10; row++)
        {
            var expected = SyntheticFeatures.Record(row);
            Assert.Equal(expected.Path, set.Paths[row]);
            Assert.Equal(expected.Label, set.Labels[row]);
            Assert.Equal(expected.LabelIndex, set.LabelIndices[row]);
            for (var j = 0; j < Dimension; j++)
            {
                Assert.Equal(SyntheticFeatures.Feature(row, j), set.Features[(row * Dimension) + j]);
            }
        }

        var records = new List<FeatureRecord>();
        await foreach (var record in reader.ReadRecordsAsync())
        {
            records.Add(record);
        }

        Assert.Equal(Enumerable.Range(0, 10).Select(SyntheticFeatures.Record), records);
    }

    [Fact]
    public async Task WriteAsync_RowsPerPartReached_RollsExactlyAtTheLimit()
    {
        using var dir = new TempFolder();
        var options = new FeatureStoreOptions { RowGroupSize = 64, RowsPerPart = 5, PartInterval = TimeSpan.FromHours(1) };
        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 12, batch: 12);

            // Two full parts are closed by the write itself; the third (2 rows) is still open.
            Assert.Equal(2, writer.PartsWritten);
            Assert.Equal(2, FeatureStoreLayout.FindParquetParts(FeaturesDir(dir)).Count);
            await writer.CompleteAsync(CancellationToken.None);
        }

        var reader = await FeatureStoreReader.OpenAsync(dir.Path);
        Assert.Equal(new[] { 5L, 5L, 2L }, await Task.WhenAll(reader.PartFiles.Select(async p => (await RowGroupSizesAsync(p)).Sum())));
        Assert.Empty(TemporaryFiles(dir));
    }

    /// <summary>
    /// A stream's micro-batch with predictions: one part whatever rowsPerPart says, whole on disk
    /// under its temporary name (Parquet and Arrow) when the companion runs, and renamed only after
    /// it; a failed companion leaves no part, so a part is never committed without its companion.
    /// </summary>
    [Fact]
    public async Task WritePartAsync_RunsTheCompanionBeforeAnyRenameAndAFailedOneCommitsNothing()
    {
        using var dir = new TempFolder();
        var options = new FeatureStoreOptions { RowGroupSize = 4, RowsPerPart = 5, PartInterval = TimeSpan.Zero, WriteArrow = true };
        var (records, features) = SyntheticFeatures.Rows(0, 11, Dimension);
        var parquet = Path.Combine(FeaturesDir(dir), "part-00000.parquet");
        var arrow = Path.ChangeExtension(parquet, ".arrow");
        var seen = new List<int>();
        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None))
        {
            await writer.WritePartAsync(records, features, (number, _) =>
            {
                seen.Add(number);
                Assert.False(File.Exists(parquet));
                Assert.False(File.Exists(arrow));
                Assert.True(new FileInfo(FeatureStoreLayout.TemporaryPath(parquet)).Length > 0);
                Assert.True(new FileInfo(FeatureStoreLayout.TemporaryPath(arrow)).Length > 0);
                return Task.CompletedTask;
            }, CancellationToken.None);
            await writer.WritePartAsync(ReadOnlyMemory<FeatureRecord>.Empty, ReadOnlyMemory<float>.Empty, (number, _) =>
            {
                seen.Add(number);
                return Task.CompletedTask;
            }, CancellationToken.None);
        }

        Assert.Equal([0, 1], seen);
        var reader = await FeatureStoreReader.OpenAsync(dir.Path);
        Assert.Equal(new[] { 4L, 4L, 3L }, await RowGroupSizesAsync(reader.PartFiles[0]));
        Assert.Empty(await RowGroupSizesAsync(reader.PartFiles[1]));
        Assert.Equal(11, (await reader.ReadAllAsync()).Count);

        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None))
        {
            await Assert.ThrowsAsync<IOException>(() => writer.WritePartAsync(records, features, (_, _) => throw new IOException("disk full"), CancellationToken.None));
        }

        Assert.Equal(["part-00000.arrow", "part-00000.parquet", "part-00001.arrow", "part-00001.parquet"], Directory.EnumerateFiles(FeaturesDir(dir)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_PartIntervalZero_RollsAfterEveryWrite()
    {
        using var dir = new TempFolder();
        var options = new FeatureStoreOptions { PartInterval = TimeSpan.Zero };
        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 7, batch: 3);
            Assert.Equal(3, writer.PartsWritten);
            Assert.Empty(TemporaryFiles(dir));
            await writer.CompleteAsync(CancellationToken.None);
        }

        var reader = await FeatureStoreReader.OpenAsync(dir.Path);
        Assert.Equal(3, reader.PartFiles.Count);
        Assert.Equal(Enumerable.Range(0, 7).Select(SyntheticFeatures.PathOf), (await reader.ReadAllAsync()).Paths);
    }

    [Fact]
    public async Task WriteAsync_OpenPart_IsOnlyAHiddenTemporaryFile()
    {
        using var dir = new TempFolder();
        var options = new FeatureStoreOptions { RowGroupSize = 2, WriteArrow = true };
        await using var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None);
        await SyntheticFeatures.WriteRowsAsync(writer, 0, 5, batch: 5);

        Assert.Equal([".part-00000.arrow.tmp", ".part-00000.parquet.tmp"], TemporaryFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(FeatureStoreLayout.FindParts(FeaturesDir(dir), ".parquet", ".arrow"));
    }

    [Fact]
    public async Task DisposeAsync_WithoutComplete_KeepsCompletePartsAndWritesNoSuccess()
    {
        using var dir = new TempFolder();
        var options = new FeatureStoreOptions { RowGroupSize = 4, RowsPerPart = 6, WriteArrow = true };
        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 9, batch: 2);
        }

        Assert.Empty(TemporaryFiles(dir));
        Assert.False(File.Exists(Path.Combine(FeaturesDir(dir), "_SUCCESS")));
        var reader = await FeatureStoreReader.OpenAsync(dir.Path);
        Assert.False(reader.IsComplete);
        Assert.Equal(Enumerable.Range(0, 9).Select(SyntheticFeatures.PathOf), (await reader.ReadAllAsync()).Paths);
        Assert.Equal(2, FeatureStoreLayout.FindParts(FeaturesDir(dir), ".arrow").Count);
    }

    [Fact]
    public async Task WriteAsync_CancelledToken_ThrowsAndDisposeStillKeepsEarlierRows()
    {
        using var dir = new TempFolder();
        var options = new FeatureStoreOptions { RowGroupSize = 2, RowsPerPart = 4 };
        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 5, batch: 5);
            using var cancelled = new CancellationTokenSource();
            await cancelled.CancelAsync();
            var (records, features) = SyntheticFeatures.Rows(5, 1, Dimension);

            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await writer.WriteAsync(records, features, cancelled.Token));
            Assert.Equal(5, writer.RowsWritten);
        }

        Assert.Empty(TemporaryFiles(dir));
        var reader = await FeatureStoreReader.OpenAsync(dir.Path);
        Assert.False(reader.IsComplete);
        Assert.Equal(Enumerable.Range(0, 5).Select(SyntheticFeatures.PathOf), (await reader.ReadAllAsync()).Paths);
    }

    [Fact]
    public async Task CreateAsync_AfterKilledRun_DeletesTemporaryFilesKeepsPartsAndContinuesNumbering()
    {
        using var dir = new TempFolder();
        var options = new FeatureStoreOptions { RowsPerPart = 3, WriteArrow = true };
        await using (var first = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(first, 0, 6, batch: 6);
            await first.CompleteAsync(CancellationToken.None);
        }

        // What a kill leaves: half-written hidden parts, an Arrow part renamed before its Parquet twin,
        // and (from the earlier complete run) a _SUCCESS that no longer describes the store.
        var features = FeaturesDir(dir);
        await File.WriteAllTextAsync(Path.Combine(features, ".part-00002.parquet.tmp"), "PAR1 half a part");
        await File.WriteAllTextAsync(Path.Combine(features, ".part-00002.arrow.tmp"), "ARROW1");
        await File.WriteAllTextAsync(Path.Combine(features, "part-00002.arrow"), "ARROW1 orphan");

        await using (var second = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None))
        {
            Assert.Empty(TemporaryFiles(dir));
            Assert.False(File.Exists(Path.Combine(features, "part-00002.arrow")));
            Assert.False(File.Exists(Path.Combine(features, "_SUCCESS")));
            await SyntheticFeatures.WriteRowsAsync(second, 6, 2, batch: 2);
            await second.CompleteAsync(CancellationToken.None);
        }

        var reader = await FeatureStoreReader.OpenAsync(dir.Path);
        Assert.True(reader.IsComplete);
        Assert.Equal(["part-00000.parquet", "part-00001.parquet", "part-00002.parquet"], reader.PartFiles.Select(Path.GetFileName));
        Assert.Equal(Enumerable.Range(0, 8).Select(SyntheticFeatures.PathOf), (await reader.ReadAllAsync()).Paths);
    }

    [Fact]
    public async Task CreateAsync_ExistingPartsFromAnotherModel_ThrowsNamingThePart()
    {
        using var dir = new TempFolder();
        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 2, batch: 2);
        }

        var other = SyntheticFeatures.Metadata(Dimension) with { ModelName = "resnet50" };
        var e = await Assert.ThrowsAsync<InvalidDataException>(
            () => FeatureStoreWriter.CreateAsync(dir.Path, other, new FeatureStoreOptions(), CancellationToken.None));
        Assert.Contains("part-00000.parquet", e.Message, StringComparison.Ordinal);
        Assert.Contains("pipeline.model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateAsync_OutputUnderARegularFile_ThrowsIOExceptionNamingThePath()
    {
        using var dir = new TempFolder();
        var file = Path.Combine(dir.Path, "not-a-folder");
        await File.WriteAllTextAsync(file, "x");
        var output = Path.Combine(file, "store");

        var e = await Assert.ThrowsAsync<IOException>(
            () => FeatureStoreWriter.CreateAsync(output, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None));
        Assert.StartsWith($"The feature store output directory '{output}' cannot be created or written", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_FeatureLengthNotRecordsTimesDimension_ThrowsArgumentException()
    {
        using var dir = new TempFolder();
        await using var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None);
        var (records, features) = SyntheticFeatures.Rows(0, 2, Dimension);

        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await writer.WriteAsync(records, features.AsMemory(1), CancellationToken.None));
        Assert.Equal("features", e.ParamName);

        // A bug in the caller, not a broken store: the writer stays usable.
        await writer.WriteAsync(records, features, CancellationToken.None);
        Assert.Equal(2, writer.RowsWritten);
    }

    [Theory]
    [InlineData(FeatureStoreCompression.None)]
    [InlineData(FeatureStoreCompression.Gzip)]
    [InlineData(FeatureStoreCompression.Zstd)]
    [InlineData(FeatureStoreCompression.Lz4)]
    public async Task WriteAsync_EachCompression_RoundTrips(FeatureStoreCompression compression)
    {
        using var dir = new TempFolder();
        var options = new FeatureStoreOptions { Compression = compression, CompressionLevel = System.IO.Compression.CompressionLevel.Fastest };
        await using (var writer = await FeatureStoreWriter.CreateAsync(dir.Path, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 3, batch: 3);
        }

        var set = await (await FeatureStoreReader.OpenAsync(dir.Path)).ReadAllAsync();
        Assert.Equal(SyntheticFeatures.Rows(0, 3, Dimension).Features, set.Features);
    }

    [Fact]
    public void Options_OutOfRange_ThrowNamingTheKey()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureStoreOptions { RowGroupSize = 0 });
        Assert.Equal("RowGroupSize", e.ParamName);
        Assert.Contains("between 1 and", e.Message, StringComparison.Ordinal);
        Assert.Equal("RowsPerPart", Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureStoreOptions { RowsPerPart = -1 }).ParamName);
        Assert.Equal("PartInterval", Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureStoreOptions { PartInterval = TimeSpan.FromSeconds(-1) }).ParamName);
        Assert.Equal("Compression", Assert.Throws<ArgumentOutOfRangeException>(() => new FeatureStoreOptions { Compression = (FeatureStoreCompression)42 }).ParamName);
    }

    internal static string FeaturesDir(TempFolder dir) => Path.Combine(dir.Path, "features");

    internal static string[] TemporaryFiles(TempFolder dir) =>
        Directory.GetFiles(dir.Path, "*.tmp", SearchOption.AllDirectories);

    private static async Task<long[]> RowGroupSizesAsync(string part)
    {
        await using var reader = await ParquetReader.CreateAsync(part);
        return reader.RowGroups.Select(g => g.RowCount).ToArray();
    }
}
