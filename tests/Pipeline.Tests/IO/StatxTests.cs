using Pipeline.IO;

namespace Pipeline.Tests.IO;

public sealed class StatxTests
{
    /// <summary>What the watch source's watermark rests on: mv keeps mtime, the kernel still sets a fresh ctime.</summary>
    [Fact]
    public void TryGet_FileRenamedWithAnOldMtime_HasAFreshCtimeAndItsSizeAndMtime()
    {
        using var folder = new TempFolder();
        var staged = folder.Write("staged.png", [1, 2, 3]);
        var old = DateTime.UtcNow.AddDays(-3);
        File.SetLastWriteTimeUtc(staged, old);
        var before = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
        var landed = folder.Combine("landed.png");
        File.Move(staged, landed);

        Assert.True(Statx.TryGet(landed, out var status));

        Assert.Equal(3, status.Size);
        Assert.Equal((old - DateTime.UnixEpoch).Ticks * 100, status.ModifiedUnixNs);

        // The kernel's coarse clock may lag this one by a tick (a few ms).
        Assert.InRange(status.ChangedUnixNs!.Value, before - 20_000_000, before + 5_000_000_000);
    }
}
