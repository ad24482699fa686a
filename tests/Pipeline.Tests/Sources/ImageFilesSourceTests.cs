using Pipeline.Sources;

namespace Pipeline.Tests.Sources;

public sealed class ImageFilesSourceTests
{
    [Fact]
    public async Task FromFolder_TopLevelImagesAmongOtherEntries_YieldsVisibleImagesInOrdinalOrderAndCountsThemUpFront()
    {
        using var root = new TempFolder();
        root.Write("b.png");
        root.Write("A.jpg");
        root.Write(".hidden.png");
        root.Write("notes.txt");
        root.Write("sub/below.png");

        var source = ImageFilesSource.FromFolder(root.Path);
        var images = await source.ReadAllAsync();

        Assert.Equal(["A.jpg", "b.png"], images.Select(i => Path.GetFileName(i.Path)));
        Assert.Equal(2, source.Count);
        Assert.All(images, i => Assert.Equal((ImageFilesSource.UnknownLabel, 0), (i.Label, i.LabelIndex)));
    }

    [Fact]
    public void HasImagesAtTopLevel_ImagesOnlyHiddenOrBelow_IsFalse()
    {
        using var root = new TempFolder();
        root.Write(".hidden.png");
        root.Write("notes.txt");
        root.Write("sub/below.png");

        Assert.False(ImageFilesSource.HasImagesAtTopLevel(root.Path));
        Assert.True(ImageFilesSource.HasImagesAtTopLevel(root.Combine("sub")));
    }

    [Fact]
    public async Task ShardKeyOf_FilesGivenOneByOne_IsTheArgumentAsGivenNotItsFullPath()
    {
        using var root = new TempFolder();
        var absolute = root.Write("abs.png");
        var source = new ImageFilesSource(["./shots/../a.png", "b\\c.png", absolute], "the arguments");

        var keys = (await source.ReadAllAsync()).Select(i => ShardedImageSource.KeyOf(source, i));

        // A relative argument keys the same whatever the working folder, so shards run anywhere agree.
        Assert.Equal(["a.png", "b/c.png", absolute], keys);
    }
}
