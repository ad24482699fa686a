using Pipeline.FeatureStore;
using Pipeline.Sources;

namespace Pipeline.Tests.FeatureStore;

/// <summary>The commit protocol of a sharded store, on attempts written with the store's own writer.</summary>
public sealed class ShardedStoreTests
{
    private const int Dimension = 4;

    [Fact]
    public async Task TryCommit_TwoAttemptsOfOneShard_OnlyTheFirstsRowsReachTheStore()
    {
        using var temp = new TempFolder();
        var store = ShardedStore.Open(temp.Path, new Shard(0, 1));
        var first = await WriteAttemptAsync(store, 0, 10);
        var second = await WriteAttemptAsync(store, 0, 10);

        Assert.True(store.TryCommit(first));
        Assert.False(store.TryCommit(second));

        Assert.False(Directory.Exists(second));
        var reader = await FeatureStoreReader.OpenAsync(temp.Path);
        Assert.Equal(10, reader.Count);
        Assert.All(reader.PartFiles, p => Assert.EndsWith("-shard-0-of-1.parquet", p, StringComparison.Ordinal));
        Assert.True(File.Exists(temp.Combine("rejects-shard-0-of-1.parquet")));
    }

    [Fact]
    public async Task TryComplete_WritesSuccessOnlyOnceTheLastShardIsPublished()
    {
        using var temp = new TempFolder();
        var shards = Enumerable.Range(0, 3).Select(i => ShardedStore.Open(temp.Path, new Shard(i, 3))).ToArray();
        var attempts = new string[3];
        for (var i = 0; i < 3; i++)
        {
            attempts[i] = await WriteAttemptAsync(shards[i], i * 10, 10);
        }

        // Shard 2 commits first, then 0, then 1: whichever comes last completes the store.
        foreach (var i in new[] { 2, 0 })
        {
            shards[i].TryCommit(attempts[i]);
            Assert.False(shards[i].TryComplete());
            Assert.False(File.Exists(temp.Combine("features", "_SUCCESS")));
        }

        shards[1].TryCommit(attempts[1]);
        Assert.True(shards[1].TryComplete());

        Assert.True(File.Exists(temp.Combine("features", "_SUCCESS")));
        Assert.False(Directory.Exists(temp.Combine("_temporary")));
        var set = await (await FeatureStoreReader.OpenAsync(temp.Path)).ReadAllAsync();
        Assert.Equal(Enumerable.Range(0, 30).Select(SyntheticFeatures.PathOf), set.Paths);
    }

    [Fact]
    public async Task Publish_WinnerKilledBetweenItsMarkerAndItsRenames_IsFinishedByTheNextAttempt()
    {
        using var temp = new TempFolder();
        var store = ShardedStore.Open(temp.Path, new Shard(0, 1));
        var attempt = await WriteAttemptAsync(store, 0, 10);

        // The marker made as TryCommit makes it, and then nothing: the winner was killed there.
        Assert.True(Pipeline.IO.FirstWriterWins.TryCreate(store.Marker, Path.GetFileName(attempt)["attempt-".Length..]));
        Assert.Empty(FeatureStoreLayout.FindParquetParts(temp.Combine("features")));

        var retry = ShardedStore.Open(temp.Path, new Shard(0, 1));
        retry.Publish();

        Assert.True(retry.TryComplete());
        Assert.Equal(10, (await FeatureStoreReader.OpenAsync(temp.Path)).Count);
    }

    [Fact]
    public async Task TryComplete_SuccessPresentButAWinnerNotMoved_KeepsTheWinnersFolder()
    {
        using var temp = new TempFolder();
        var shards = Enumerable.Range(0, 2).Select(i => ShardedStore.Open(temp.Path, new Shard(i, 2))).ToArray();
        shards[0].TryCommit(await WriteAttemptAsync(shards[0], 0, 4));
        var winner = await WriteAttemptAsync(shards[1], 4, 4);

        // Shard 1's winner killed between its marker and its renames, with a _SUCCESS already there
        // (an earlier completion seen through a stale listing).
        Assert.True(Pipeline.IO.FirstWriterWins.TryCreate(shards[1].Marker, Path.GetFileName(winner)["attempt-".Length..]));
        temp.Write("features/_SUCCESS");

        Assert.False(shards[0].TryComplete());
        Assert.True(Directory.Exists(winner));

        shards[1].Publish();
        Assert.True(shards[1].TryComplete());
        var set = await (await FeatureStoreReader.OpenAsync(temp.Path)).ReadAllAsync();
        Assert.Equal(Enumerable.Range(0, 8).Select(SyntheticFeatures.PathOf), set.Paths.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Publish_FourPublishersAtOnce_NoneFailsAndEveryPartArrivesOnce()
    {
        // Rounds of a race in which one publisher deletes the winner's folder while another lists
        // it: that must count as published, not throw. Before the fix about one run in four failed.
        // Publish moves files by name, so empty ones keep each round cheap.
        using var temp = new TempFolder();
        for (var round = 0; round < 150; round++)
        {
            var root = temp.Combine($"store-{round}");
            var store = ShardedStore.Open(root, new Shard(0, 1));
            var attempt = store.BeginAttempt();
            Directory.CreateDirectory(Path.Combine(attempt, "features"));
            for (var part = 0; part < 3; part++)
            {
                File.WriteAllBytes(Path.Combine(attempt, "features", $"part-{part:D5}.parquet"), []);
            }

            File.WriteAllBytes(Path.Combine(attempt, "rejects.parquet"), []);
            Assert.True(Pipeline.IO.FirstWriterWins.TryCreate(store.Marker, Path.GetFileName(attempt)["attempt-".Length..]));
            using var start = new Barrier(4);
            var publishers = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    store.Publish();
                },
                TaskCreationOptions.LongRunning)).ToArray();

            await Task.WhenAll(publishers);

            Assert.True(store.TryComplete());
            Assert.Equal(3, FeatureStoreLayout.FindParquetParts(Path.Combine(root, "features")).Count);
        }
    }

    [Fact]
    public async Task EnsureSameFeaturizer_TwoModelsOnAnEmptyStore_TheSecondIsRefusedBeforeEitherCommits()
    {
        using var temp = new TempFolder();
        var other = SyntheticFeatures.Metadata(Dimension) with { ModelName = "vgg16", ModelSha256 = new string('f', 64) };
        await ShardedStore.Open(temp.Path, new Shard(0, 2)).EnsureSameFeaturizerAsync(SyntheticFeatures.Metadata(Dimension), CancellationToken.None);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ShardedStore.Open(temp.Path, new Shard(1, 2)).EnsureSameFeaturizerAsync(other, CancellationToken.None));

        Assert.Contains($"Feature store featurizer '{temp.Combine("_shards", "featurizer.json")}' was featurized by another featurizer than shard 1/2", e.Message, StringComparison.Ordinal);
        await ShardedStore.Open(temp.Path, new Shard(1, 2)).EnsureSameFeaturizerAsync(SyntheticFeatures.Metadata(Dimension) with { CreatedAt = DateTimeOffset.UnixEpoch }, CancellationToken.None);
    }

    [Fact]
    public async Task EnsureSameFeaturizer_TruncatedCommittedPart_NamesTheFile()
    {
        using var temp = new TempFolder();
        var store = ShardedStore.Open(temp.Path, new Shard(0, 2));
        store.TryCommit(await WriteAttemptAsync(store, 0, 4));
        var part = FeatureStoreLayout.FindParquetParts(temp.Combine("features"))[0];
        var bytes = await File.ReadAllBytesAsync(part);
        await File.WriteAllBytesAsync(part, bytes[..(bytes.Length / 2)]);

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ShardedStore.Open(temp.Path, new Shard(1, 2)).EnsureSameFeaturizerAsync(SyntheticFeatures.Metadata(Dimension), CancellationToken.None));

        Assert.Contains($"Feature store part '{part}' cannot be read as Parquet", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThrowIfIncomplete_ShardsMissing_NamesThem()
    {
        using var temp = new TempFolder();
        var store = ShardedStore.Open(temp.Path, new Shard(1, 3));
        store.TryCommit(await WriteAttemptAsync(store, 0, 4));

        var e = Assert.Throws<InvalidDataException>((await FeatureStoreReader.OpenAsync(temp.Path)).ThrowIfIncomplete);

        Assert.Equal($"Feature store '{temp.Path}' is incomplete: shards 0/3, 2/3 of its 3 have not committed; run them to complete it.", e.Message);
    }

    [Fact]
    public void Open_StoreOfAnotherShardCount_IsRefused()
    {
        using var temp = new TempFolder();
        ShardedStore.Open(temp.Path, new Shard(0, 2)).BeginAttempt();

        var e = Assert.Throws<InvalidDataException>(() => ShardedStore.Open(temp.Path, new Shard(0, 3)));

        Assert.Contains("is being written in 2 shards, so shard 0/3 cannot join it", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureSameFeaturizer_StoreOfAnotherModel_IsRefused()
    {
        using var temp = new TempFolder();
        var store = ShardedStore.Open(temp.Path, new Shard(0, 2));
        store.TryCommit(await WriteAttemptAsync(store, 0, 4));
        var other = SyntheticFeatures.Metadata(Dimension) with { ModelName = "vgg16", ModelSha256 = new string('f', 64) };

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => ShardedStore.Open(temp.Path, new Shard(1, 2)).EnsureSameFeaturizerAsync(other, CancellationToken.None));

        Assert.Contains("was featurized by another featurizer than shard 1/2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FindParts_ShardedParts_ComeWithTheirNumbers()
    {
        using var temp = new TempFolder();
        temp.Write("features/part-00003-shard-1-of-4.parquet");
        temp.Write("features/part-00007-shard-0-of-4.parquet");
        temp.Write("features/part-00002.parquet");
        temp.Write("features/part-00009-shard-5-of-4.parquet");

        var parts = FeatureStoreLayout.FindParts(temp.Combine("features"), ".parquet");

        Assert.Equal([2, 3, 7], parts.Select(p => p.Number));
        Assert.Equal([null, "1/4", "0/4"], parts.Select(p => FeatureStoreLayout.ShardOf(p.Path)?.ToString()));
    }

    /// <summary>An attempt folder holding rows [first, first + count) in parts of 4 and an empty rejects file.</summary>
    [Fact]
    public async Task MoveIfThere_AWinnersFileMovedByAnotherPublisherAndThenCompactedAway_IsNoFailure()
    {
        // A winner stopped (SIGSTOP) inside Publish after listing its files; a retry moved them all,
        // deleted its folder and completed the store, and store compact renamed every part out of its
        // shard's name. The winner then resumes its renames: each source is gone and so is each target.
        using var temp = new TempFolder();
        var store = ShardedStore.Open(temp.Path, new Shard(0, 1));
        var attempt = await WriteAttemptAsync(store, 0, 10);
        var listed = Path.Combine(FeatureStoreLayout.FeaturesDirectory(attempt), FeatureStoreLayout.PartFileName(0, FeatureStoreLayout.ParquetExtension));
        Assert.True(File.Exists(listed));
        Assert.True(store.TryCommit(attempt));
        Assert.True(store.TryComplete());
        await SmallPartCompaction.CompactStoreAsync(temp.Path, new FeatureStoreOptions(), TimeSpan.FromMinutes(10), CancellationToken.None);
        var target = Path.Combine(store.FeaturesDirectory, FeatureStoreLayout.PartFileName(0, store.Shard, FeatureStoreLayout.ParquetExtension));
        Assert.False(File.Exists(target));

        ShardedStore.MoveIfThere(listed, target);

        Assert.False(File.Exists(target));
        Assert.Equal(10, (await FeatureStoreReader.OpenAsync(temp.Path)).Count);
    }

    internal static async Task<string> WriteAttemptAsync(ShardedStore store, int first, int count, FeatureStoreMetadata? metadata = null)
    {
        var attempt = store.BeginAttempt();
        await using (var writer = await FeatureStoreWriter.CreateAsync(attempt, metadata ?? SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions { RowsPerPart = 4 }, CancellationToken.None))
        {
            await SyntheticFeatures.WriteRowsAsync(writer, first, count, batch: 3);
            await writer.CompleteAsync(CancellationToken.None);
        }

        await using (var rejects = await RejectsWriter.CreateAsync(attempt, CancellationToken.None))
        {
            await rejects.CompleteAsync(CancellationToken.None);
        }

        return attempt;
    }
}
