using Pipeline.Decoding;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Sources;
using Pipeline.Tests.Runs.EndToEnd;

namespace Pipeline.Tests.Featurization;

public sealed class LandedFileSinkTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly CapturedLog _log = new();

    public void Dispose()
    {
        _dir.Dispose();
        _log.Dispose();
    }

    [Fact]
    public void ArchivePath_MirrorsTheFullPathUnderTheArchive() =>
        Assert.Equal("/runs/r/archive/in/cat/1.png", LandedFileSink.ArchivePath("/runs/r/archive", "/in/cat/1.png"));

    [Fact]
    public void Settle_Delete_DeletesTheFileItsRowWasKeyedBy()
    {
        var path = Landed("a.png", [1, 2, 3]);
        var sink = Sink(LandedFileAction.Delete);

        sink.Settle(path, StampOf(path));

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Settle_FileReplacedSinceItLanded_IsLeftForTheStreamToFeaturize()
    {
        var path = Landed("a.png", [1, 2, 3]);
        var stamp = StampOf(path);
        File.WriteAllBytes(path, [1, 2, 3, 4]);
        var sink = Sink(LandedFileAction.Delete);

        sink.Settle(path, stamp);

        Assert.Equal([1, 2, 3, 4], File.ReadAllBytes(path));
    }

    [Fact]
    public async Task WriteAsync_RejectedFileFinishedSinceItLanded_IsLeftAndAnUnchangedOneDeleted()
    {
        // A half-written upload paused past the settle time is rejected, then its writer finishes it.
        var finished = Landed("finished.png", [1, 2]);
        var finishedStamp = StampOf(finished);
        File.WriteAllBytes(finished, [1, 2, 3, 4]);
        var broken = Landed("broken.png", [9]);
        Reject[] rejects = [new(finished, RejectStages.Decode, "truncated"), new(broken, RejectStages.Decode, "truncated")];
        var batch = new FeaturizedBatch(ReadOnlyMemory<FeatureRecord>.Empty, ReadOnlyMemory<float>.Empty, 4, rejects, [finishedStamp, StampOf(broken)]);

        await Sink(LandedFileAction.Delete).WriteAsync(batch, CancellationToken.None);

        Assert.Equal([1, 2, 3, 4], File.ReadAllBytes(finished));
        Assert.False(File.Exists(broken));
    }

    [Fact]
    public void Settle_ArchiveThatCannotBeCreated_KeepsTheFileAndSaysSo()
    {
        var path = Landed("a.png", [1, 2, 3]);
        var archive = _dir.Combine("archive");
        File.WriteAllBytes(archive, []);
        var sink = new LandedFileSink(new StreamOptions { After = LandedFileAction.Archive, ArchiveFolder = archive }, _log.CreateLogger("stream"));

        sink.Settle(path, StampOf(path));

        Assert.Equal([1, 2, 3], File.ReadAllBytes(path));
        Assert.Contains(_log.Messages, m => m.StartsWith($"Could not archive the landed file {path}, whose row is committed; it stays where it is", StringComparison.Ordinal));
    }

    [Fact]
    public void Create_ArchiveWithoutAFolder_IsRefused() =>
        Assert.Throws<ArgumentException>(() => new LandedFileSink(new StreamOptions { After = LandedFileAction.Archive }, _log.CreateLogger("stream")));

    private string Landed(string name, byte[] bytes)
    {
        var path = _dir.Combine(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private LandedFileSink Sink(LandedFileAction after) => new(new StreamOptions { After = after, ArchiveFolder = _dir.Combine("archive") }, _log.CreateLogger("stream"));

    private static (long, long) StampOf(string path) => FileStamp.Of(new FileInfo(path));
}
