using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Sources;
using Pipeline.Tests.FeatureStore;
using Pipeline.Tests.Sources;

namespace Pipeline.Tests.Featurization;

/// <summary>A run stopped by its token, resumed, and a run whose store stops accepting writes.</summary>
public sealed class FeaturizationJobInterruptionTests
{
    private const int ImageCount = 60;

    /// <summary>Generous: the whole source takes a few seconds; a hang must fail, not stall CI.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunAsync_CancelledMidRunThenRunAgain_KeepsCompletePartsAndResumesToEveryImageOnce()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        GeneratedImages.WriteFolder(input.Path, ImageCount, "a", "b", "c");
        var source = await ImageSourceFactory.OpenAsync(input.Path);
        using var stop = new CancellationTokenSource();
        var first = new FeaturizationCounters();

        // The source is read at most a few batches ahead of the sink, so once 12 images are
        // featurized well over half of the 60 are still unread: the stop always lands mid-run.
        var watched = new WatchedSource(source, () =>
        {
            if (first.Featurized >= 12)
            {
                stop.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => TestFeaturization.RunAsync(watched, output.Path, first, stop.Token).WaitAsync(Timeout));

        var features = Path.Combine(output.Path, "features");
        var files = Directory.GetFiles(features).Select(Path.GetFileName).ToArray();
        Assert.DoesNotContain(files, f => f!.EndsWith(".tmp", StringComparison.Ordinal));
        Assert.DoesNotContain("_SUCCESS", files);
        Assert.True(files.Length >= 2, $"expected several parts of {TestFeaturization.RowsPerPart} rows, found {string.Join(", ", files)}");
        foreach (var part in files)
        {
            Assert.True(DuckDbQuery.Count($"SELECT count(*) FROM read_parquet('{Path.Combine(features, part!)}')") > 0);
        }

        var kept = DuckDbQuery.Count($"SELECT count(*) FROM read_parquet({DuckDbQuery.Parts(output.Path)})");
        Assert.Equal(kept, DuckDbQuery.Count($"SELECT count(DISTINCT path) FROM read_parquet({DuckDbQuery.Parts(output.Path)})"));
        Assert.Equal(first.Featurized, kept);
        Assert.InRange(kept, 12, ImageCount - 1);

        var second = new FeaturizationCounters();
        var summary = await TestFeaturization.RunAsync(source, output.Path, second).WaitAsync(Timeout);

        Assert.True(File.Exists(Path.Combine(features, "_SUCCESS")));
        Assert.Equal(ImageCount, DuckDbQuery.Count($"SELECT count(*) FROM read_parquet({DuckDbQuery.Parts(output.Path)})"));
        Assert.Equal(ImageCount, DuckDbQuery.Count($"SELECT count(DISTINCT path) FROM read_parquet({DuckDbQuery.Parts(output.Path)})"));
        Assert.Equal((kept, ImageCount - kept), (second.Cached, second.Featurized));
        Assert.Equal((kept, ImageCount - kept), (summary.Cached, summary.Featurized));
    }

    [Fact]
    public async Task RunAsync_StoppedAndAbandonedAtOnce_KeepsExactlyTheRowsItWroteInCompletePartsAndResumesFromThem()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        GeneratedImages.WriteFolder(input.Path, ImageCount, "a", "b", "c");
        var source = await ImageSourceFactory.OpenAsync(input.Path);
        using var stop = new CancellationTokenSource();
        using var abandon = new CancellationTokenSource();
        var first = new FeaturizationCounters();

        // A drain deadline of zero: the batches in flight are dropped rather than finished, and 12 rows
        // (one part and a half) are written by then, so the open part holds rows to keep.
        var watched = new WatchedSource(source, () =>
        {
            if (first.Featurized >= 12)
            {
                stop.Cancel();
                abandon.Cancel();
            }
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => FeaturizationJob.RunAsync(
                watched, TestFeaturization.ResNet18, output.Path, TestFeaturization.Options, first, NullLogger.Instance, stop.Token, abandon.Token).WaitAsync(Timeout));

        var files = Directory.GetFiles(Path.Combine(output.Path, "features")).Select(Path.GetFileName).ToArray();
        Assert.DoesNotContain(files, f => f!.StartsWith('.') || f == "_SUCCESS");
        var kept = DuckDbQuery.Count($"SELECT count(*) FROM read_parquet({DuckDbQuery.Parts(output.Path)})");
        Assert.Equal(first.Featurized, kept);
        Assert.Equal(kept, DuckDbQuery.Count($"SELECT count(DISTINCT path) FROM read_parquet({DuckDbQuery.Parts(output.Path)})"));
        Assert.InRange(kept, 12, ImageCount - 1);

        var second = new FeaturizationCounters();
        await TestFeaturization.RunAsync(source, output.Path, second).WaitAsync(Timeout);

        Assert.Equal((kept, ImageCount - kept), (second.Cached, second.Featurized));
        Assert.Equal(ImageCount, DuckDbQuery.Count($"SELECT count(DISTINCT path) FROM read_parquet({DuckDbQuery.Parts(output.Path)})"));
    }

    [Fact]
    public async Task RunAsync_StoreFolderReplacedMidRun_ThrowsThePartFileIOExceptionWithoutHanging()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        GeneratedImages.WriteFolder(input.Path, ImageCount, "a", "b");
        var counters = new FeaturizationCounters();
        var features = Path.Combine(output.Path, "features");
        var sabotaged = false;

        // Renaming the folder away is atomic, so the write in flight is not disturbed; the next part
        // close (a rename into features/) or, when the sink has just closed one, the next part open
        // finds a file where the folder was. The source is still far from its end, so the producer
        // is blocked on a full graph when the sink faults.
        var watched = new WatchedSource(await ImageSourceFactory.OpenAsync(input.Path), () =>
        {
            if (!sabotaged && counters.Featurized >= 4)
            {
                Directory.Move(features, features + ".gone");
                File.WriteAllText(features, "not a folder");
                sabotaged = true;
            }
        });

        var error = await Assert.ThrowsAnyAsync<IOException>(
            () => TestFeaturization.RunAsync(watched, output.Path, counters).WaitAsync(Timeout));

        Assert.True(sabotaged);
        Assert.Contains(features, error.Message, StringComparison.Ordinal);

        // The cause is the failed part close or open, not the cleanup of the abandoned part that follows it.
        var stack = error.StackTrace ?? string.Empty;
        Assert.True(
            stack.Contains($"{nameof(FeatureStorePart)}.{nameof(FeatureStorePart.CloseAsync)}", StringComparison.Ordinal)
                || stack.Contains($"{nameof(FeatureStorePart)}.{nameof(FeatureStorePart.OpenAsync)}", StringComparison.Ordinal),
            stack);
        Assert.DoesNotContain($"{nameof(FeatureStorePart)}.{nameof(FeatureStorePart.DisposeAsync)}", stack, StringComparison.Ordinal);
        Assert.True(counters.Featurized < ImageCount);
    }

    [Fact]
    public async Task RunAsync_SourceFailsMidRun_ThrowsTheSourceErrorAndKeepsOnlyCompleteParts()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        var pixels = Enumerable.Range(0, 40).Select(i => Enumerable.Range(0, 6).Select(j => (byte)(i + (40 * j))).ToArray()).ToArray();
        var labels = pixels.Select((_, i) => (byte)(i % 3)).ToArray();

        // One byte short: the gzip stream ends inside the last image, after 39 good ones.
        var images = input.Write("imgs.gz", IdxImageSourceTests.Encode(IdxImageSourceTests.ImagesFile(pixels.Length, pixels)[..^1], gzip: true));
        var labelFile = input.Write("labels.gz", IdxImageSourceTests.Encode(IdxImageSourceTests.LabelsFile(labels), gzip: true));
        var source = await ImageSourceFactory.OpenAsync($"{ImageSourceFactory.IdxPrefix}{images},{labelFile}");

        var error = await Assert.ThrowsAsync<SourceException>(() => TestFeaturization.RunAsync(source, output.Path).WaitAsync(Timeout));

        Assert.Contains(images, error.Message, StringComparison.Ordinal);
        var files = Directory.GetFiles(Path.Combine(output.Path, "features")).Select(Path.GetFileName).ToArray();
        Assert.DoesNotContain(files, f => f!.EndsWith(".tmp", StringComparison.Ordinal) || f == "_SUCCESS");
        if (files.Length > 0)
        {
            Assert.Equal(
                DuckDbQuery.Count($"SELECT count(*) FROM read_parquet({DuckDbQuery.Parts(output.Path)})"),
                DuckDbQuery.Count($"SELECT count(DISTINCT path) FROM read_parquet({DuckDbQuery.Parts(output.Path)})"));
        }
    }

    /// <summary>A source that runs a check before yielding each image of another source.</summary>
    private sealed class WatchedSource(ILabelledImageSource inner, Action beforeEach) : ILabelledImageSource
    {
        public string Description => inner.Description;

        public ClassList Classes => inner.Classes;

        public async IAsyncEnumerable<LabelledImage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var image in inner.ReadAsync(cancellationToken))
            {
                beforeEach();
                cancellationToken.ThrowIfCancellationRequested();
                yield return image;
            }
        }
    }
}
