using System.Text;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Sources;
using Pipeline.Tests.FeatureStore;
using Pipeline.Tests.Runs.EndToEnd;

namespace Pipeline.Tests.Featurization;

/// <summary>
/// A second run into the same store after the data set changed: the completed store holds exactly
/// one row per image the source holds now, with its current label, read back by DuckDB (which
/// keeps every row it finds, unlike our reader's newest-row-per-path).
/// </summary>
public sealed class FeaturizationJobCompactionTests : IDisposable
{
    private readonly TempFolder _input = new();
    private readonly TempFolder _output = new();
    private readonly CapturedLog _log = new();

    public void Dispose()
    {
        _input.Dispose();
        _output.Dispose();
    }

    [Fact]
    public async Task RunAsync_TwoImagesDeletedAndOneMovedToAnotherClass_StoreHoldsExactlyTheCurrentImages()
    {
        var images = await FeaturizeThenChangeFolderAsync(TestFeaturization.Options);

        var summary = await RunAsync(TestFeaturization.Options, await ImageSourceFactory.OpenAsync(_input.Path));

        Assert.Equal((10, 1, 9, 0), (summary.Read, summary.Featurized, summary.Cached, summary.Rejected));
        AssertStoreHolds(images);
        Assert.True(File.Exists(Path.Combine(_output.Path, "features", "_SUCCESS")));
        // Which part holds which image depends on the order decodes finish, so not the part count.
        Assert.Contains(
            _log.Messages,
            m => m.StartsWith($"Compacted the feature store {_output.Path}: removed 3 stale rows (images gone from the source or changed since they were featurized), relabelled 0, rewrote ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ImagesOnlyDeleted_FeaturizesNothingYetCompactsAndMarksTheStoreComplete()
    {
        var images = GeneratedImages.WriteFolder(_input.Path, 12, "a", "b", "c");
        await RunAsync(TestFeaturization.Options, await ImageSourceFactory.OpenAsync(_input.Path));
        DeleteTwoImages(images);

        var summary = await RunAsync(TestFeaturization.Options, await ImageSourceFactory.OpenAsync(_input.Path));

        Assert.Equal((10, 0, 10, 0), (summary.Read, summary.Featurized, summary.Cached, summary.Rejected));
        AssertStoreHolds(images);
        Assert.True((await FeatureStoreReader.OpenAsync(_output.Path)).IsComplete);
    }

    [Fact]
    public async Task RunAsync_AgainOverAnUnchangedSource_RewritesNothingAndLogsNoCompaction()
    {
        var images = GeneratedImages.WriteFolder(_input.Path, 6, "a", "b");
        await RunAsync(TestFeaturization.Options, await ImageSourceFactory.OpenAsync(_input.Path));
        var parts = Directory.GetFiles(Path.Combine(_output.Path, "features"), "*.parquet").ToDictionary(p => p, File.GetLastWriteTimeUtc);

        var summary = await RunAsync(TestFeaturization.Options, await ImageSourceFactory.OpenAsync(_input.Path));

        Assert.Equal((6, 0, 6), (summary.Read, summary.Featurized, summary.Cached));
        AssertStoreHolds(images);
        Assert.Equal(parts, Directory.GetFiles(Path.Combine(_output.Path, "features"), "*.parquet").ToDictionary(p => p, File.GetLastWriteTimeUtc));
        Assert.DoesNotContain(_log.Messages, m => m.StartsWith("Compacted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_ArrowTwinsAndAStaleRow_RewritesEachTwinToItsPartsRows()
    {
        var options = TestFeaturization.Options with { Store = TestFeaturization.Options.Store with { WriteArrow = true } };
        var images = await FeaturizeThenChangeFolderAsync(options);

        await RunAsync(options, await ImageSourceFactory.OpenAsync(_input.Path));

        AssertStoreHolds(images);
        var features = Path.Combine(_output.Path, "features");
        var parquetParts = FeatureStoreLayout.FindParts(features, FeatureStoreLayout.ParquetExtension);
        Assert.Equal(
            parquetParts.Select(p => p.Number),
            FeatureStoreLayout.FindParts(features, FeatureStoreLayout.ArrowExtension).Select(p => p.Number));
        foreach (var (_, part) in parquetParts)
        {
            var parquetRows = DuckDbQuery.Rows($"SELECT path, label FROM read_parquet('{part}')").Select(r => ((string)r[0], (string)r[1]));
            Assert.Equal(parquetRows, await ArrowRowsAsync(Path.ChangeExtension(part, FeatureStoreLayout.ArrowExtension)));
        }
    }

    [Fact]
    public async Task RunAsync_AfterACrashBetweenTheArrowAndTheParquetRename_CompactsBothTwinsAgain()
    {
        var options = TestFeaturization.Options with { Store = TestFeaturization.Options.Store with { WriteArrow = true } };
        var images = await FeaturizeThenChangeFolderAsync(options);
        var before = Directory.GetFiles(Path.Combine(_output.Path, "features"), "part-*.parquet").ToDictionary(p => p, File.ReadAllBytes);
        await RunAsync(options, await ImageSourceFactory.OpenAsync(_input.Path));
        var part = before.Keys.Order(StringComparer.Ordinal).First(p => !File.ReadAllBytes(p).AsSpan().SequenceEqual(before[p]));

        // As a crash leaves it: the Arrow twin already compacted, the Parquet part not yet, no marker.
        await File.WriteAllBytesAsync(part, before[part]);
        File.Delete(Path.Combine(_output.Path, "features", "_SUCCESS"));
        var summary = await RunAsync(options, await ImageSourceFactory.OpenAsync(_input.Path));

        Assert.Equal((0, 10), (summary.Featurized, summary.Cached));
        AssertStoreHolds(images);
        var parquetRows = DuckDbQuery.Rows($"SELECT path, label FROM read_parquet('{part}')").Select(r => ((string)r[0], (string)r[1]));
        Assert.Equal(parquetRows, await ArrowRowsAsync(Path.ChangeExtension(part, FeatureStoreLayout.ArrowExtension)));
    }

    [Fact]
    public async Task RunAsync_AfterACrashBetweenTheRenamesOfARelabelThatIsThenUndone_BothTwinsHoldTheRestoredLabels()
    {
        var options = TestFeaturization.Options with { Store = TestFeaturization.Options.Store with { WriteArrow = true } };
        var paths = Enumerable.Range(0, 4).Select(i => _input.Write($"images/{i}.png", GeneratedImages.Png(i))).ToArray();
        var manifest = WriteManifest(paths, ["x", "y", "x", "y"]);
        await RunAsync(options, await ImageSourceFactory.OpenAsync(manifest));
        var part = Path.Combine(_output.Path, "features", "part-00000.parquet");
        var original = await File.ReadAllBytesAsync(part);
        WriteManifest(paths, ["y", "y", "x", "y"]);
        await RunAsync(options, await ImageSourceFactory.OpenAsync(manifest));

        // As a kill between the two renames of that relabel leaves it: the Arrow twin relabelled, the
        // relabelled Parquet part complete under its temporary name, the old one still in place.
        File.Move(part, FeatureStoreLayout.TemporaryPath(part));
        await File.WriteAllBytesAsync(part, original);
        File.Delete(Path.Combine(_output.Path, "features", "_SUCCESS"));

        // Undone: the old part's labels are current again, so only the twin is wrong.
        WriteManifest(paths, ["x", "y", "x", "y"]);
        var summary = await RunAsync(options, await ImageSourceFactory.OpenAsync(manifest));

        Assert.Equal((0, 4), (summary.Featurized, summary.Cached));
        AssertStoreHolds(new Dictionary<string, string> { [paths[0]] = "x", [paths[1]] = "y", [paths[2]] = "x", [paths[3]] = "y" });
        var parquetRows = DuckDbQuery.Rows($"SELECT path, label FROM read_parquet('{part}')").Select(r => ((string)r[0], (string)r[1]));
        Assert.Equal(parquetRows, await ArrowRowsAsync(Path.ChangeExtension(part, FeatureStoreLayout.ArrowExtension)));
    }

    [Fact]
    public async Task RunAsync_ManifestLabelChanged_RelabelsTheStoredRowWithoutFeaturizingAgain()
    {
        var paths = Enumerable.Range(0, 4).Select(i => _input.Write($"images/{i}.png", GeneratedImages.Png(i))).ToArray();
        var manifest = WriteManifest(paths, ["x", "y", "x", "y"]);
        await RunAsync(TestFeaturization.Options, await ImageSourceFactory.OpenAsync(manifest));
        var before = await (await FeatureStoreReader.OpenAsync(_output.Path)).ReadAllAsync();

        WriteManifest(paths, ["y", "y", "x", "y"]);
        var summary = await RunAsync(TestFeaturization.Options, await ImageSourceFactory.OpenAsync(manifest));

        Assert.Equal((4, 0, 4, 0), (summary.Read, summary.Featurized, summary.Cached, summary.Rejected));
        AssertStoreHolds(new Dictionary<string, string> { [paths[0]] = "y", [paths[1]] = "y", [paths[2]] = "x", [paths[3]] = "y" });
        var after = await (await FeatureStoreReader.OpenAsync(_output.Path)).ReadAllAsync();
        Assert.Equal([1, 1, 0, 1], after.LabelIndices);
        Assert.Equal(before.Features, after.Features);
        Assert.Contains(
            $"Compacted the feature store {_output.Path}: removed 0 stale rows (images gone from the source or changed since they were featurized), relabelled 1, rewrote 1 parts",
            _log.Messages);
    }

    [Fact]
    public async Task RunAsync_RejectedImageDeleted_DropsItsReject()
    {
        GeneratedImages.WriteFolder(_input.Path, 4, "a", "b");
        var bad = _input.Write("a/truncated.png", GeneratedImages.Png(9)[..40]);
        await RunAsync(TestFeaturization.Options, await ImageSourceFactory.OpenAsync(_input.Path));
        Assert.Equal([bad], (await RejectsReader.ReadAsync(_output.Path)).Select(r => r.Path));

        File.Delete(bad);
        await RunAsync(TestFeaturization.Options, await ImageSourceFactory.OpenAsync(_input.Path));

        Assert.Empty(await RejectsReader.ReadAsync(_output.Path));
    }

    [Fact]
    public async Task RunAsync_StoppedAfterTheDataSetChanged_KeepsTheStaleRowsForTheNextCompletedRun()
    {
        var images = await FeaturizeThenChangeFolderAsync(TestFeaturization.Options);
        var source = await ImageSourceFactory.OpenAsync(_input.Path);
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => RunAsync(TestFeaturization.Options, source, stop.Token));

        // A stopped run has not seen the whole source, so it cannot know which rows are stale.
        Assert.Equal(12L, DuckDbQuery.Count($"SELECT count(*) FROM read_parquet({DuckDbQuery.Parts(_output.Path)})"));
        Assert.False(File.Exists(Path.Combine(_output.Path, "features", "_SUCCESS")));
        await RunAsync(TestFeaturization.Options, await ImageSourceFactory.OpenAsync(_input.Path));
        AssertStoreHolds(images);
    }

    /// <summary>
    /// Featurizes 12 images in classes a, b, c (two parts of 8 rows), then deletes a/img-000 and
    /// b/img-001 and moves c/img-002 to a; returns the images the folder holds now.
    /// </summary>
    private async Task<Dictionary<string, string>> FeaturizeThenChangeFolderAsync(FeaturizationOptions options)
    {
        var images = GeneratedImages.WriteFolder(_input.Path, 12, "a", "b", "c");
        await RunAsync(options, await ImageSourceFactory.OpenAsync(_input.Path));
        Assert.Equal(12L, DuckDbQuery.Count($"SELECT count(*) FROM read_parquet({DuckDbQuery.Parts(_output.Path)})"));

        DeleteTwoImages(images);
        var moved = _input.Combine("c", "img-002.png");
        File.Move(moved, _input.Combine("a", "img-002.png"));
        images.Remove(moved);
        images.Add(_input.Combine("a", "img-002.png"), "a");
        return images;
    }

    /// <summary>Deletes a/img-000 and b/img-001, from the folder and from <paramref name="images"/>.</summary>
    private void DeleteTwoImages(Dictionary<string, string> images)
    {
        foreach (var deleted in new[] { _input.Combine("a", "img-000.png"), _input.Combine("b", "img-001.png") })
        {
            File.Delete(deleted);
            images.Remove(deleted);
        }
    }

    private Task<FeaturizationSummary> RunAsync(FeaturizationOptions options, ILabelledImageSource source, CancellationToken cancellationToken = default) =>
        FeaturizationJob.RunAsync(source, TestFeaturization.ResNet18, _output.Path, options, new FeaturizationCounters(), _log.CreateLogger("featurize"), cancellationToken);

    private void AssertStoreHolds(IReadOnlyDictionary<string, string> images)
    {
        var rows = DuckDbQuery.Rows($"SELECT path, label FROM read_parquet({DuckDbQuery.Parts(_output.Path)}) ORDER BY path")
            .Select(r => ((string)r[0], (string)r[1]));
        Assert.Equal(images.OrderBy(i => i.Key, StringComparer.Ordinal).Select(i => (i.Key, i.Value)), rows);
    }

    private string WriteManifest(string[] paths, string[] labels)
    {
        var lines = paths.Select((p, i) => $"{p},{labels[i]}").Prepend("path,label");
        return _input.Write("manifest.csv", Encoding.UTF8.GetBytes(string.Join('\n', lines)));
    }

    private static async Task<List<(string, string)>> ArrowRowsAsync(string file)
    {
        var rows = new List<(string, string)>();
        await using var stream = File.OpenRead(file);
        using var reader = new ArrowFileReader(stream);
        while (await reader.ReadNextRecordBatchAsync() is { } batch)
        {
            using (batch)
            {
                var paths = (StringArray)batch.Column("path");
                var labels = (StringArray)batch.Column("label");
                for (var i = 0; i < batch.Length; i++)
                {
                    rows.Add((paths.GetString(i), labels.GetString(i)));
                }
            }
        }

        return rows;
    }
}
