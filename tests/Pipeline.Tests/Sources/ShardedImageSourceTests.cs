using Pipeline.Sources;

namespace Pipeline.Tests.Sources;

public sealed class ShardedImageSourceTests
{
    [Fact]
    public async Task ReadAsync_NFrom1To7_PutsEveryImageInExactlyOneShard()
    {
        using var temp = new TempFolder();
        var root = WriteFolder(temp, 500);
        var source = new FolderImageSource(root);
        var all = (await source.ReadAllAsync()).Select(i => i.Path).ToArray();
        Assert.Equal(500, all.Length);

        for (var n = 1; n <= 7; n++)
        {
            var seen = new List<string>();
            for (var i = 0; i < n; i++)
            {
                var shard = await new ShardedImageSource(source, new Shard(i, n)).ReadAllAsync();

                // A shard of 500 over at most 7 is never empty nor nearly all: the hash spreads them.
                Assert.InRange(shard.Count, 500 / n / 2, Math.Min(500, 500 / n * 2));
                seen.AddRange(shard.Select(s => s.Path));
            }

            Assert.Equal(all.Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task ReadAsync_TwoMountPointsOfOneFolder_AssignEachImageTheSameShard()
    {
        using var temp = new TempFolder();
        var root = WriteFolder(temp, 60);
        var mount = temp.Combine("other-mount");
        Directory.CreateSymbolicLink(mount, root);

        for (var i = 0; i < 3; i++)
        {
            var here = await new ShardedImageSource(new FolderImageSource(root), new Shard(i, 3)).ReadAllAsync();
            var there = await new ShardedImageSource(new FolderImageSource(mount), new Shard(i, 3)).ReadAllAsync();
            Assert.NotEmpty(here);
            Assert.Equal(here.Select(x => Path.GetRelativePath(root, x.Path)), there.Select(x => Path.GetRelativePath(mount, x.Path)));
        }
    }

    [Fact]
    public void Of_Key_IsXxHash64ModN_TheSameInEveryProcess()
    {
        // Fixed values, from the XXH64 specification computed apart from .NET: string.GetHashCode is
        // randomised per process, and would fail this in some.
        Assert.Equal(
            [0, 0, 1, 0, 4, 4, 4],
            Enumerable.Range(1, 7).Select(n => Shard.Of("cat/img-001.png", n)));
        Assert.Equal(Shard.Of("41", 5), (int)(System.IO.Hashing.XxHash64.HashToUInt64("41"u8) % 5));
    }

    [Fact]
    public async Task ShardKeyOf_IdxImage_IsItsIndex()
    {
        using var temp = new TempFolder();
        var images = temp.Write("imgs.idx", [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 1, 10, 20, 30]);
        var labels = temp.Write("labels.idx", [0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 2]);
        var source = await ImageSourceFactory.OpenAsync($"idx:{images},{labels}");

        var keys = (await source.ReadAllAsync()).Select(i => ShardedImageSource.KeyOf(source, i));

        Assert.Equal(["0", "1", "2"], keys);
    }

    [Fact]
    public async Task ShardKeyOf_ManifestEntry_IsRelativeToTheManifestFolder()
    {
        using var temp = new TempFolder();
        WriteFolder(temp, 4);
        var manifest = temp.Write("set/manifest.csv", "path,label\n../images/a/img-000.png,a\n../images/b/img-001.png,b\n"u8.ToArray());
        File.Copy(temp.Combine("images", "a", "img-000.png"), temp.Combine("set", "x.png"));
        File.AppendAllText(manifest, "x.png,a\n");
        var source = await ImageSourceFactory.OpenAsync(manifest);

        var keys = (await source.ReadAllAsync()).Select(i => ShardedImageSource.KeyOf(source, i)).ToArray();

        // Outside the manifest's folder an entry keeps its full path: the same only under one mount point.
        Assert.Equal([temp.Combine("images", "a", "img-000.png"), temp.Combine("images", "b", "img-001.png"), "x.png"], keys);
    }

    private static string WriteFolder(TempFolder temp, int count)
    {
        // Sources list files without decoding them, so the assignment needs no real image.
        var root = temp.Combine("images");
        for (var i = 0; i < count; i++)
        {
            temp.Write(Path.Combine("images", i % 2 == 0 ? "a" : "b", $"img-{i:D3}.png"));
        }

        return root;
    }
}
