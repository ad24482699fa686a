using Pipeline.IO;

namespace Pipeline.Tests.IO;

/// <summary>
/// What a test can see of a folder sync: that it runs on a real folder and names a missing one.
/// That the renames survive a power cut is the kernel's promise for fsync(2) and is not testable here.
/// </summary>
public sealed class DirectorySyncTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Flush_FolderWithARenameInIt_Succeeds()
    {
        var file = _folder.Combine("a.txt");
        File.WriteAllText(file + ".tmp", "x");
        File.Move(file + ".tmp", file);

        DirectorySync.Flush(_folder.Path);

        Assert.Equal("x", File.ReadAllText(file));
    }

    [Fact]
    public void Flush_MissingFolder_ThrowsNamingIt()
    {
        var missing = _folder.Combine("missing");

        var error = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));

        Assert.StartsWith($"Cannot open folder '{missing}' to sync it: ", error.Message, StringComparison.Ordinal);
    }
}
