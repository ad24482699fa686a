using Pipeline.IO;

namespace Pipeline.Tests.IO;

public sealed class FolderLockTests : IDisposable
{
    private const string Name = ".test.lock";

    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TryAcquire_WhileHeld_ReturnsNullWithTheHoldersPid()
    {
        using var held = FolderLock.TryAcquire(_dir.Path, Name, out _);

        // flock belongs to the open file, so a second open in the same process is turned away like another process.
        var second = FolderLock.TryAcquire(_dir.Path, Name, out var holder);

        Assert.NotNull(held);
        Assert.Null(second);
        Assert.Equal(Environment.ProcessId, holder);
    }

    [Fact]
    public void Dispose_HeldLock_DeletesTheFileAndLetsTheNextTakeIt()
    {
        FolderLock.TryAcquire(_dir.Path, Name, out _)!.Dispose();

        Assert.False(File.Exists(_dir.Combine(Name)));
        using var next = FolderLock.TryAcquire(_dir.Path, Name, out var holder);
        Assert.NotNull(next);
        Assert.Null(holder);
    }

    [Fact]
    public void TryAcquire_FileLeftByADeadHolder_TakesItAndRecordsThisPid()
    {
        // What kill -9 leaves: the file, with a pid, but no lock.
        File.WriteAllText(_dir.Combine(Name), "999999\n");

        using var taken = FolderLock.TryAcquire(_dir.Path, Name, out _);

        Assert.NotNull(taken);
        Assert.Null(FolderLock.TryAcquire(_dir.Path, Name, out var holder));
        Assert.Equal(Environment.ProcessId, holder);
    }

    [Fact]
    public void Dispose_FolderRemovedWhileHeld_DoesNotThrow()
    {
        var folder = Directory.CreateDirectory(_dir.Combine("run")).FullName;
        var held = FolderLock.TryAcquire(folder, Name, out _)!;
        Directory.Delete(folder, recursive: true);

        // Whatever ended the holder's work is what it reports, not a lock file it could not tidy away.
        Assert.Null(Record.Exception(held.Dispose));
    }
}
