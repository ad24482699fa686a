using Microsoft.Extensions.Logging.Abstractions;
using Parquet;
using Parquet.Schema;
using Pipeline.Featurization;
using Pipeline.FeatureStore;

namespace Pipeline.Tests.FeatureStore;

/// <summary>
/// Merging a store's small parts into a new generation swapped in by one rename: every row once, in
/// our reader and in DuckDB reading the resolved folder, before, during and after.
/// </summary>
public sealed class SmallPartCompactionTests : IDisposable
{
    private const int Dimension = 4;
    private static readonly TimeSpan LongGrace = TimeSpan.FromHours(1);

    private readonly TempFolder _dir = new();
    private readonly string _store;

    public SmallPartCompactionTests()
    {
        _store = _dir.Combine("store");
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task CompactStoreAsync_TenPartsOfFiveRows_MergesThreeGroupsAndLeavesTheLastPart()
    {
        await WritePartsAsync(parts: 10, rowsEach: 5);

        var result = await SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 12 }, LongGrace, CancellationToken.None);

        Assert.Equal(new SmallPartCompactionResult(PartsMerged: 9, PartsWritten: 3, Rows: 45, RowsLeft: 5), result);
        var features = Path.Combine(_store, "features");
        Assert.NotNull(new FileInfo(features).LinkTarget);
        Assert.Equal(["part-00009.parquet", "part-00010.parquet", "part-00011.parquet", "part-00012.parquet"], PartNames(features));
        var reader = await FeatureStoreReader.OpenAsync(_store);
        Assert.Equal([15L, 15, 15, 5], Enumerable.Range(0, 4).Select(reader.PartRows));
        var set = await reader.ReadAllAsync();
        Assert.Equal(Enumerable.Range(0, 50).Select(SyntheticFeatures.PathOf), set.Paths);
        for (var row = 0; row < 50; row++)
        {
            Assert.Equal(Enumerable.Range(0, Dimension).Select(j => SyntheticFeatures.Feature(row, j)), set.GetFeatures(row).ToArray());
        }

        Assert.Equal((50L, 50L), DuckDbCount(Resolve(features)));
    }

    [Fact]
    public async Task CompactStoreAsync_PathStoredTwice_KeepsTheNewerRowAlthoughTheMergedPartHasTheHigherNumber()
    {
        await using (var writer = await FeatureStoreWriter.CreateAsync(_store, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 4, 4);
            await writer.CommitAsync(CancellationToken.None);
            await SyntheticFeatures.WriteRowsAsync(writer, 4, 4, 4);
            await writer.CommitAsync(CancellationToken.None);

            // Row 0's image featurized again after it changed: a newer row of the same path, in part 2.
            var (records, features) = SyntheticFeatures.Rows(0, 1, Dimension);
            records[0] = records[0] with { FileBytes = 1 };
            await writer.WriteAsync(records, features, CancellationToken.None);
            await writer.CommitAsync(CancellationToken.None);
        }

        var result = await SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 8 }, LongGrace, CancellationToken.None);

        Assert.Equal(2, result.PartsMerged);
        var reader = await FeatureStoreReader.OpenAsync(_store);
        Assert.Equal([3, 2], reader.PartNumbers);
        var newer = await reader.ReadRecordsAsync().LastAsync();
        Assert.Equal((SyntheticFeatures.PathOf(0), 1L), (newer.Path, newer.FileBytes));
        Assert.Equal(8, (await reader.ReadAllAsync()).Count);
    }

    [Fact]
    public async Task FeatureStoreCompaction_StaleRowRemovedFromAMergedPart_KeepsItsPlaceInStoreOrder()
    {
        await using (var writer = await FeatureStoreWriter.CreateAsync(_store, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 4, 4);
            await writer.CommitAsync(CancellationToken.None);
            await SyntheticFeatures.WriteRowsAsync(writer, 4, 4, 4);
            await writer.CommitAsync(CancellationToken.None);
            var (records, features) = SyntheticFeatures.Rows(0, 1, Dimension);
            records[0] = records[0] with { FileBytes = 1 };
            await writer.WriteAsync(records, features, CancellationToken.None);
            await writer.CommitAsync(CancellationToken.None);
        }

        await SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 8 }, LongGrace, CancellationToken.None);

        // A completed run found row 5's image gone: the merged part 3 is rewritten without it.
        var stale = SyntheticFeatures.PathOf(5);
        var compacted = await FeatureStoreCompaction.CompactAsync(
            await FeatureStoreReader.OpenAsync(_store), r => r.Path == stale ? -1 : r.LabelIndex, new FeatureStoreOptions(), CancellationToken.None);

        Assert.Equal(1, compacted.PartsRewritten);
        var reader = await FeatureStoreReader.OpenAsync(_store);
        Assert.Equal([3, 2], reader.PartNumbers);
        var newer = await reader.ReadRecordsAsync().LastAsync();
        Assert.Equal((SyntheticFeatures.PathOf(0), 1L), (newer.Path, newer.FileBytes));
        Assert.Equal(8, reader.Count);
    }

    [Fact]
    public async Task CompactStoreAsync_StoreWithPredictionsParts_MergesThemUnderTheFeaturePartsNumbers()
    {
        await WritePartsAsync(parts: 4, rowsEach: 3);
        var predictions = Path.Combine(_store, "predictions");
        Directory.CreateDirectory(predictions);
        for (var part = 0; part < 4; part++)
        {
            await WritePredictionsAsync(Path.Combine(predictions, $"part-{part:D5}.parquet"), Enumerable.Range(part * 3, 3));
        }

        var result = await SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 6 }, LongGrace, CancellationToken.None);

        Assert.Equal((4, 2), (result.PartsMerged, result.PartsWritten));
        var live = Resolve(Path.Combine(_store, "features"));
        // The kernel resolves predictions -> features/../predictions through the features link
        // (.NET's ResolveLinkTarget would join the '..' lexically, so the folder is listed instead).
        Assert.Equal(["part-00004.parquet", "part-00005.parquet"], PartNames(predictions));
        Assert.Equal(PartNames(predictions), PartNames(Path.Combine(Path.GetDirectoryName(live)!, "predictions")));
        foreach (var part in PartNames(predictions))
        {
            var paths = DuckDbQuery.Rows($"SELECT path FROM read_parquet('{Path.Combine(predictions, part)}')").Select(r => (string)r[0]).ToList();
            Assert.Equal(paths, DuckDbQuery.Rows($"SELECT path FROM read_parquet('{Path.Combine(live, part)}')").Select(r => (string)r[0]).ToList());
            Assert.Equal(6, paths.Count);
        }

        Assert.Equal(Enumerable.Range(0, 12).Select(i => i / 8.0), DuckDbQuery.Rows($"SELECT p_cat FROM read_parquet('{predictions}/*.parquet') ORDER BY p_cat").Select(r => (double)r[0]));
    }

    [Fact]
    public async Task CompactStoreAsync_ArrowTurnedOffBetweenParts_MergesOnlyPartsAlikeSoEveryTwinHoldsItsPartsRows()
    {
        await using (var writer = await FeatureStoreWriter.CreateAsync(_store, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions { WriteArrow = true }, CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, 3, 3);
            await writer.CommitAsync(CancellationToken.None);
        }

        await using (var writer = await FeatureStoreWriter.CreateAsync(_store, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 3, 3, 3);
            await writer.CommitAsync(CancellationToken.None);
            await SyntheticFeatures.WriteRowsAsync(writer, 6, 3, 3);
            await writer.CommitAsync(CancellationToken.None);
        }

        var result = await SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 6 }, LongGrace, CancellationToken.None);

        Assert.Equal(new SmallPartCompactionResult(PartsMerged: 2, PartsWritten: 1, Rows: 6, RowsLeft: 3), result);
        var features = Path.Combine(_store, "features");
        Assert.Equal(["part-00000.parquet", "part-00003.parquet"], PartNames(features));
        Assert.Equal(["part-00000.arrow"], Directory.GetFiles(features, "*.arrow").Select(Path.GetFileName));
        Assert.Equal(9, (await FeatureStoreReader.OpenAsync(_store)).Count);
    }

    [Fact]
    public async Task CompactStoreAsync_ZstdStoreOfTwoRowGroups_MergedPartsKeepTheCodecAndRowGroupSize()
    {
        await WritePartsAsync(parts: 4, rowsEach: 5, new FeatureStoreOptions { Compression = FeatureStoreCompression.Zstd, RowGroupSize = 2 });

        await SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 10 }, LongGrace, CancellationToken.None);

        var features = Path.Combine(_store, "features");
        Assert.Equal(["part-00004.parquet", "part-00005.parquet"], PartNames(features));
        await using var reader = await ParquetReader.CreateAsync(Path.Combine(features, "part-00004.parquet"));
        Assert.Equal(5, reader.RowGroupCount);
        using var first = reader.OpenRowGroupReader(0);
        Assert.Equal(2, first.RowCount);
        Assert.All(reader.Schema.DataFields, f => Assert.Equal(Parquet.Meta.CompressionCodec.ZSTD, first.GetMetadata(f)!.MetaData!.Codec));
    }

    [Fact]
    public async Task CompactStoreAsync_CorruptPredictionsPart_FailsNamingItAndLeavesTheStore()
    {
        await WritePartsAsync(parts: 2, rowsEach: 3);
        var predictions = Path.Combine(_store, "predictions");
        Directory.CreateDirectory(predictions);
        await WritePredictionsAsync(Path.Combine(predictions, "part-00000.parquet"), Enumerable.Range(0, 3));
        var corrupt = Path.Combine(predictions, "part-00001.parquet");
        File.WriteAllBytes(corrupt, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 6 }, LongGrace, CancellationToken.None));

        Assert.Contains($"'{Path.Combine(FeatureStoreGenerations.Live(Path.GetFullPath(_store))!, "predictions", "part-00001.parquet")}' cannot be read as Parquet", error.Message, StringComparison.Ordinal);
        Assert.Equal(["part-00000.parquet", "part-00001.parquet"], PartNames(Path.Combine(_store, "features")));
        Assert.Single(Directory.GetDirectories(_store, ".gen-*"));
    }

    [Fact]
    public async Task CompactStoreAsync_NothingSmallEnough_LeavesThePartsAndSaysSo()
    {
        await WritePartsAsync(parts: 2, rowsEach: 5);

        var result = await SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 20 }, LongGrace, CancellationToken.None);

        Assert.Equal(new SmallPartCompactionResult(0, 0, 0, 10), result);
        Assert.Equal(["part-00000.parquet", "part-00001.parquet"], PartNames(Path.Combine(_store, "features")));
    }

    [Fact]
    public async Task CompactStoreAsync_StoreBeingWritten_IsRefusedNamingThePid()
    {
        await WritePartsAsync(parts: 2, rowsEach: 5);
        using var writing = FeatureStoreWriter.Lock(_store);

        var error = await Assert.ThrowsAsync<IOException>(() => SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 5 }, LongGrace, CancellationToken.None));

        Assert.Contains($"pid {Environment.ProcessId}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompactStoreAsync_ShardedStoreMissingAShard_IsRefusedNamingItAndLeftAsItIs()
    {
        var shards = await WriteShardsAsync(count: 3, commit: [0, 2]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 5 }, LongGrace, CancellationToken.None));

        Assert.Equal($"Feature store '{Path.GetFullPath(_store)}' is not complete, so its parts are not merged: shard 1/3 of its 3 has not committed; run it first.", error.Message);
        var features = Path.Combine(_store, "features");
        Assert.Null(new FileInfo(features).LinkTarget);
        Assert.Equal(6, PartNames(features).Length);
        Assert.All(PartNames(features), n => Assert.Contains("-shard-", n, StringComparison.Ordinal));
        Assert.Equal(3, shards.Length);
    }

    [Fact]
    public async Task CompactStoreAsync_CompleteShardedStore_MergesEveryShardsPartsIntoUnshardedPartsAndVerifies()
    {
        // Three shards of 10 rows in parts of 4, 4 and 2: nine parts, each named for its shard.
        var shards = await WriteShardsAsync(count: 3, commit: [0, 1, 2]);
        var features = Path.Combine(_store, "features");
        Assert.Equal(9, PartNames(features).Length);

        var result = await SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 12 }, LongGrace, CancellationToken.None);

        // 30 rows into parts of at least 12 but the last: 12, 12, 6, every part out of its shard's name.
        Assert.Equal(new SmallPartCompactionResult(PartsMerged: 9, PartsWritten: 3, Rows: 30, RowsLeft: 0, Shards: 3), result);
        Assert.NotNull(new FileInfo(features).LinkTarget);
        Assert.All(PartNames(features), n => Assert.DoesNotContain("-shard-", n, StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(features, "_SUCCESS")));
        var reader = await FeatureStoreReader.OpenAsync(_store);
        Assert.Equal([12L, 12, 6], Enumerable.Range(0, 3).Select(reader.PartRows));
        var set = await reader.ReadAllAsync();
        Assert.Equal(Enumerable.Range(0, 30).Select(SyntheticFeatures.PathOf).Order(StringComparer.Ordinal), set.Paths.Order(StringComparer.Ordinal));
        Assert.Equal((30L, 30L), DuckDbCount(Resolve(features)));

        var verified = await FeatureStoreVerification.RunAsync(_store, CancellationToken.None);
        Assert.True(verified.Passed, verified.Problem);
        Assert.Equal((3, 30L, 30L), (verified.ShardCount!.Value, verified.Rows, verified.DistinctKeys));
        Assert.Contains("3 shards, all committed, compacted into unsharded parts", verified.Describe(), StringComparison.Ordinal);

        // A late attempt of a shard finds its marker: it commits nothing and moves nothing in.
        var late = await ShardedStoreTests.WriteAttemptAsync(shards[1], 10, 10);
        Assert.False(shards[1].TryCommit(late));
        Assert.True(shards[1].TryComplete());
        Assert.Equal(30, (await FeatureStoreReader.OpenAsync(_store)).Count);

        // Compacting again merges what is small among the unsharded parts, as for any store.
        var again = await SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 12 }, LongGrace, CancellationToken.None);
        Assert.Null(again.Shards);
        Assert.Equal(30, (await FeatureStoreReader.OpenAsync(_store)).Count);
    }

    [Fact]
    public async Task CompactStoreAsync_ShardedPartsOfAtLeastRowsPerPart_AreRenamedWithoutRewriting()
    {
        await WriteShardsAsync(count: 2, commit: [0, 1]);
        var features = Path.Combine(_store, "features");

        // A hard link keeps the file's own time; a rewritten part would have the compaction's.
        var old = new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        foreach (var part in Directory.GetFiles(features, "part-*.parquet"))
        {
            File.SetLastWriteTimeUtc(part, old);
        }

        var result = await SmallPartCompaction.CompactStoreAsync(_store, new FeatureStoreOptions { RowsPerPart = 4 }, LongGrace, CancellationToken.None);

        // Store order s0p0, s1p0, s0p1, s1p1 (4 rows each: renamed), then s0p2 + s1p2 (2 + 2: merged).
        Assert.Equal(new SmallPartCompactionResult(PartsMerged: 6, PartsWritten: 5, Rows: 20, RowsLeft: 0, Shards: 2), result);
        var names = PartNames(features);
        Assert.Equal(5, names.Length);
        Assert.Equal(4, names.Count(n => File.GetLastWriteTimeUtc(Path.Combine(features, n)) == old));
        var set = await (await FeatureStoreReader.OpenAsync(_store)).ReadAllAsync();
        Assert.Equal(Enumerable.Range(0, 20).Select(SyntheticFeatures.PathOf).Order(StringComparer.Ordinal), set.Paths.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Lock_AfterAKillMidCompactionAndMidSwap_DeletesTheHalfBuiltGenerationAndTheTemporaryLink()
    {
        await WritePartsAsync(parts: 3, rowsEach: 2);
        Assert.True(FeatureStoreGenerations.TryAdopt(Path.GetFullPath(_store), withPredictions: false));
        var live = FeatureStoreGenerations.Live(Path.GetFullPath(_store));
        var halfBuilt = FeatureStoreGenerations.Begin(Path.GetFullPath(_store));
        File.WriteAllBytes(Path.Combine(halfBuilt, "features", "part-00003.parquet"), [1, 2, 3]);
        Directory.CreateSymbolicLink(Path.Combine(_store, ".features.next.tmp"), Path.Combine(Path.GetFileName(halfBuilt), "features"));

        using (FeatureStoreWriter.Lock(_store))
        {
        }

        Assert.False(Directory.Exists(halfBuilt));
        Assert.False(Path.Exists(Path.Combine(_store, ".features.next.tmp")));
        Assert.Equal(live, FeatureStoreGenerations.Live(Path.GetFullPath(_store)));
        Assert.Equal(6, (await FeatureStoreReader.OpenAsync(_store)).Count);
    }

    [Fact]
    public async Task TryAdopt_KilledBetweenTheFeaturesAndThePredictionsSwaps_SwapsThePlainPredictionsFolderAtTheNextStart()
    {
        await WritePartsAsync(parts: 4, rowsEach: 3);
        var root = Path.GetFullPath(_store);
        var predictions = Path.Combine(root, "predictions");
        Directory.CreateDirectory(predictions);
        for (var part = 0; part < 4; part++)
        {
            await WritePredictionsAsync(Path.Combine(predictions, $"part-{part:D5}.parquet"), Enumerable.Range(part * 3, 3));
        }

        // The state the kill left: features a link, the generation holding hard links of the
        // predictions, predictions still the plain folder, and the temporary link made.
        Assert.True(FeatureStoreGenerations.TryAdopt(root, withPredictions: true));
        var live = FeatureStoreGenerations.Live(root)!;
        File.Delete(predictions);
        Directory.CreateDirectory(predictions);
        foreach (var file in Directory.GetFiles(Path.Combine(live, "predictions")))
        {
            File.Copy(file, Path.Combine(predictions, Path.GetFileName(file)));
        }

        Directory.CreateSymbolicLink(Path.Combine(root, ".predictions.next.tmp"), Path.Combine("features", "..", "predictions"));
        using (FeatureStoreWriter.Lock(root))
        {
        }

        Assert.True(FeatureStoreGenerations.TryAdopt(root, withPredictions: true));

        Assert.NotNull(new FileInfo(predictions).LinkTarget);
        Assert.Equal(["part-00000.parquet", "part-00001.parquet", "part-00002.parquet", "part-00003.parquet"], PartNames(predictions));
        await SmallPartCompaction.CompactStoreAsync(root, new FeatureStoreOptions { RowsPerPart = 6 }, LongGrace, CancellationToken.None);
        Assert.Equal(["part-00004.parquet", "part-00005.parquet"], PartNames(predictions));
        Assert.Equal(PartNames(Path.Combine(root, "features")), PartNames(predictions));
        Assert.Equal(12, DuckDbQuery.Count($"SELECT count(*) FROM read_parquet('{predictions}/*.parquet')"));
    }

    [Fact]
    public async Task DeleteRetired_GenerationsOlderAndYoungerThanTheGrace_DeletesOnlyTheOlder()
    {
        await WritePartsAsync(parts: 8, rowsEach: 1);
        var root = Path.GetFullPath(_store);
        await SmallPartCompaction.CompactStoreAsync(root, new FeatureStoreOptions { RowsPerPart = 2 }, LongGrace, CancellationToken.None);
        var first = Path.Combine(root, ".gen-1");
        var second = FeatureStoreGenerations.Live(root)!;

        // Both built (and the first retired) long ago: only the compaction that retires the second
        // can make it young again, by stamping it.
        Directory.SetLastWriteTimeUtc(first, DateTime.UtcNow - TimeSpan.FromMinutes(11));
        Directory.SetLastWriteTimeUtc(second, DateTime.UtcNow - TimeSpan.FromMinutes(11));
        await SmallPartCompaction.CompactStoreAsync(root, new FeatureStoreOptions { RowsPerPart = 4 }, LongGrace, CancellationToken.None);

        Assert.Equal(1, FeatureStoreGenerations.DeleteRetired(root, TimeSpan.FromMinutes(10)));
        Assert.False(Directory.Exists(first));
        Assert.True(Directory.Exists(second));
        Assert.Equal(2, Directory.GetDirectories(root, ".gen-*").Length);
        Assert.Equal(0, FeatureStoreGenerations.DeleteRetired(root, TimeSpan.FromMinutes(10)));
        Assert.Equal(8, (await FeatureStoreReader.OpenAsync(root)).Count);
    }

    [Fact]
    public async Task StreamCompaction_WhileAStreamCommitsAndReadersLoop_EveryReadSeesACommittedPrefixOnce()
    {
        var options = new FeatureStoreOptions { RowsPerPart = 10 };
        var root = Path.GetFullPath(_store);
        var committed = 0;

        // Rows whose commit has begun: a read can see a part as soon as it is renamed, before the sink returns.
        var begun = 0;
        using var writing = FeatureStoreWriter.Lock(root);
        var writer = await FeatureStoreWriter.CreateAsync(root, SyntheticFeatures.Metadata(Dimension), options, CancellationToken.None);
        await using (writer)
        {
            Assert.True(FeatureStoreGenerations.TryAdopt(root, withPredictions: false));
            var compaction = StreamCompaction.Start(writer, earlier: null, options, LongGrace, NullLogger.Instance);

            // The stream's own sink takes the commit lock around each batch and counts it, as a stream does.
            var sink = new FeatureStoreSink(writer, commitEachBatch: true, companion: null, compaction);
            var stream = Task.Run(async () =>
            {
                await using (compaction)
                {
                    for (var part = 0; part < 60; part++)
                    {
                        var (records, features) = SyntheticFeatures.Rows(part * 3, 3, Dimension);
                        Volatile.Write(ref begun, (part + 1) * 3);
                        await sink.WriteAsync(new FeaturizedBatch(records, features, Dimension, []), CancellationToken.None);
                        Volatile.Write(ref committed, (part + 1) * 3);
                        await Task.Yield();
                    }

                    // The compactions the last commits started finish before the stop, which would cancel one.
                    await Poll.UntilAsync(
                        () => FeatureStoreLayout.FindParquetParts(FeatureStoreGenerations.ResolveFeatures(root)).Count <= 20,
                        TimeSpan.FromSeconds(30),
                        TimeSpan.FromMilliseconds(20));
                }
            });

            var reads = 0;
            try
            {
                while (!stream.IsCompleted || reads == 0)
                {
                    var before = Volatile.Read(ref committed);
                    var ours = await ReadKeysAsync(root);
                    var duckDb = DuckDbRows(Resolve(Path.Combine(root, "features")));
                    var after = Volatile.Read(ref begun);
                    AssertCommittedPrefix(ours, before, after);
                    AssertCommittedPrefix(duckDb, before, after);
                    reads++;
                }
            }
            finally
            {
                // The writer is disposed only once the stream is done with it, so a failed read reports itself.
                await Task.WhenAny(stream);
            }

            await stream;
            Assert.True(reads > 1, $"{reads} reads");
        }

        var reader = await FeatureStoreReader.OpenAsync(root);
        Assert.Equal(180, reader.Count);
        Assert.True(reader.PartFiles.Count <= 20, $"{reader.PartFiles.Count} parts after compaction");
        Assert.True(Directory.GetDirectories(root, ".gen-*").Length > 2);
    }

    /// <summary>The rows written in order are 0, 1, 2…: a whole generation holds exactly the first N of them, each once.</summary>
    private static void AssertCommittedPrefix(List<string> paths, int before, int after)
    {
        Assert.InRange(paths.Count, before, after);
        Assert.Equal(Enumerable.Range(0, paths.Count).Select(SyntheticFeatures.PathOf), paths.Order(StringComparer.Ordinal));
    }

    private static async Task<List<string>> ReadKeysAsync(string root)
    {
        if (FeatureStoreLayout.FindParquetParts(FeatureStoreGenerations.ResolveFeatures(root)).Count == 0)
        {
            return [];
        }

        var reader = await FeatureStoreReader.OpenAsync(root);
        return await reader.ReadRecordsAsync().Select(r => r.Path).ToListAsync();
    }

    private static List<string> DuckDbRows(string folder) => Directory.GetFiles(folder, "*.parquet").Length == 0
        ? []
        : [.. DuckDbQuery.Rows($"SELECT path FROM read_parquet('{folder}/*.parquet')").Select(r => (string)r[0])];

    private static (long Rows, long Paths) DuckDbCount(string folder)
    {
        var row = DuckDbQuery.Rows($"SELECT count(*), count(DISTINCT path) FROM read_parquet('{folder}/*.parquet')").Single();
        return (Convert.ToInt64(row[0], System.Globalization.CultureInfo.InvariantCulture), Convert.ToInt64(row[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>What a reader resolving the <c>features</c> link once gets.</summary>
    private static string Resolve(string path) => Directory.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;

    private static string[] PartNames(string folder) =>
        [.. Directory.GetFiles(folder, "part-*.parquet").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    /// <summary>A sharded store at <c>_store</c>: shard i holds rows 10i…10i+9 in parts of 4, 4 and 2; those in <paramref name="commit"/> commit.</summary>
    private async Task<ShardedStore[]> WriteShardsAsync(int count, int[] commit)
    {
        var shards = new ShardedStore[count];
        for (var i = 0; i < count; i++)
        {
            shards[i] = ShardedStore.Open(_store, new Pipeline.Sources.Shard(i, count));
            var attempt = await ShardedStoreTests.WriteAttemptAsync(shards[i], i * 10, 10);
            if (commit.Contains(i))
            {
                shards[i].TryCommit(attempt);
                shards[i].TryComplete();
            }
        }

        return shards;
    }

    private async Task WritePartsAsync(int parts, int rowsEach, FeatureStoreOptions? options = null)
    {
        await using var writer = await FeatureStoreWriter.CreateAsync(_store, SyntheticFeatures.Metadata(Dimension), options ?? new FeatureStoreOptions(), CancellationToken.None);
        for (var part = 0; part < parts; part++)
        {
            await SyntheticFeatures.WriteRowsAsync(writer, part * rowsEach, rowsEach, rowsEach);
            await writer.CommitAsync(CancellationToken.None);
        }
    }

    /// <summary>A stand-in for a stream's predictions part: the rows' paths and one probability column.</summary>
    private static async Task WritePredictionsAsync(string file, IEnumerable<int> rows)
    {
        var path = new DataField<string>("path", nullable: false);
        var probability = new DataField<double?>("p_cat");
        var chosen = rows.ToArray();
        await using var stream = File.Create(file);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(path, probability), stream);
        using var group = writer.CreateRowGroup();
        await group.WriteAsync(path, chosen.Select(SyntheticFeatures.PathOf).ToArray());
        await group.WriteAsync<double>(probability, chosen.Select(r => (double?)(r / 8.0)).ToArray().AsMemory());
    }
}
