using Pipeline.Sources;

namespace Pipeline.Tests.Sources;

public sealed class FolderImageSourceTests
{
    [Fact]
    public async Task ReadAsync_NestedTree_YieldsLabelsThenRelativePathsInOrdinalOrder()
    {
        using var root = new TempFolder();
        root.Write("dog/b.png");
        root.Write("cat/a/b.png");
        root.Write("cat/a.png");
        root.Write("cat/a b.png");
        root.Write("cat/B.png");
        root.Write("cat/deep/er/x.jpg");
        root.Write("Zebra/z.gif");

        var source = new FolderImageSource(root.Path);
        var images = await source.ReadAllAsync();

        // Ordinal: upper case before lower case, ' ' < '.' < '/', so "a.png" precedes "a/b.png".
        Assert.Equal(
            ["Zebra/z.gif", "cat/B.png", "cat/a b.png", "cat/a.png", "cat/a/b.png", "cat/deep/er/x.jpg", "dog/b.png"],
            images.Select(i => Path.GetRelativePath(root.Path, i.Path)));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), images.Select(i => i.Ordinal));
        Assert.Equal(["Zebra", "cat", "dog"], source.Classes.Names);
        Assert.Equal([0, 1, 1, 1, 1, 1, 2], images.Select(i => i.LabelIndex));
        Assert.Equal(["Zebra", "cat", "cat", "cat", "cat", "cat", "dog"], images.Select(i => i.Label));
    }

    [Fact]
    public async Task ReadAsync_MixedEntries_KeepsOnlyVisibleImagesInLabelFolders()
    {
        using var root = new TempFolder();
        root.Write("in-root.png");
        root.Write("a/upper.PNG");
        root.Write("a/upper.JPEG");
        root.Write("a/lower.jpeg");
        root.Write("a/x.bmp");
        root.Write("a/x.tif");
        root.Write("a/x.TIFF");
        root.Write("a/x.webp");
        root.Write("a/notes.txt");
        root.Write("a/noextension");
        root.Write("a/.hidden.png");
        root.Write("a/.thumbs/t.png");
        root.Write(".cache/c.png");
        root.Write("only-text/readme.md");

        var source = new FolderImageSource(root.Path);
        var images = await source.ReadAllAsync();

        Assert.Equal(["a"], source.Classes.Names);
        Assert.Equal(
            ["lower.jpeg", "upper.JPEG", "upper.PNG", "x.TIFF", "x.bmp", "x.tif", "x.webp"],
            images.Select(i => Path.GetFileName(i.Path)));
    }

    [Fact]
    public async Task ReadAsync_File_CarriesSizeAndWriteTime()
    {
        using var root = new TempFolder();
        var path = root.Write("a/x.png", new byte[1234]);
        var written = new DateTime(2024, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, written);

        var image = Assert.Single(await new FolderImageSource(root.Path).ReadAllAsync());

        Assert.Equal(1234, image.FileBytes);
        Assert.Equal(new DateTimeOffset(written).ToUnixTimeMilliseconds(), image.FileModifiedUnixMs);
    }

    [Fact]
    public void Constructor_NoImagesInLabelFolders_ThrowsNamingTheFolder()
    {
        using var root = new TempFolder();
        root.Write("top.png");
        root.Write("a/readme.txt");

        var e = Assert.Throws<SourceException>(() => new FolderImageSource(root.Path));

        Assert.Contains(root.Path, e.Message);
        Assert.Contains("no images", e.Message);
    }
}
