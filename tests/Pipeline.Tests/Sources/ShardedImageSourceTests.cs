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
        Assert.Equal(
            [0, 1, 0, 1, 0, 3, 6],
            Enumerable.Range(1, 7).Select(n => Shard.Of("41", n)));
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
    public async Task ShardKeyOf_ManifestEntry_IsTheEntryAsWritten()
    {
        using var temp = new TempFolder();
        WriteFolder(temp, 4);
        var manifest = temp.Write("set/manifest.csv", "path,label\n../images/a/img-000.png,a\n./sub/../../images/b/img-001.png,b\n"u8.ToArray());
        File.Copy(temp.Combine("images", "a", "img-000.png"), temp.Combine("set", "x.png"));
        Directory.CreateDirectory(temp.Combine("set", "..x"));
        File.Copy(temp.Combine("images", "a", "img-000.png"), temp.Combine("set", "..x", "img.png"));
        var absolute = temp.Combine("images", "b", "img-003.png");
        File.AppendAllText(manifest, $"x.png,a\n..x/img.png,a\n{absolute},b\n");
        var source = await ImageSourceFactory.OpenAsync(manifest);

        var keys = (await source.ReadAllAsync()).Select(i => ShardedImageSource.KeyOf(source, i)).ToArray();

        // Relative entries, inside the manifest's folder or not, key by their text; absolute ones by their full path.
        Assert.Equal(["../images/a/img-000.png", "../images/b/img-001.png", "x.png", "..x/img.png", absolute.Replace('\\', '/')], keys);
    }

    [Fact]
    public async Task KeyScheme_KeysOfEachStoredPath_HoldTheKeyTheSourceShardedItBy()
    {
        using var temp = new TempFolder();
        WriteFolder(temp, 6);
        var manifest = temp.Write("set/manifest.csv", "path,label\n../images/a/img-000.png,a\n./sub/../../images/b/img-001.png,b\n"u8.ToArray());
        File.Copy(temp.Combine("images", "a", "img-000.png"), temp.Combine("set", "x.png"));
        File.AppendAllText(manifest, $"x.png,a\n{temp.Combine("images", "b", "img-003.png")},b\n{temp.Combine("set", "x2.png")},a\n");
        File.Copy(temp.Combine("images", "a", "img-000.png"), temp.Combine("set", "x2.png"));
        var idxImages = temp.Write("imgs.idx", [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 1, 10, 20, 30]);
        var idxLabels = temp.Write("labels.idx", [0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 2]);

        foreach (var input in new[] { temp.Combine("images"), manifest, $"idx:{idxImages},{idxLabels}" })
        {
            var source = await ImageSourceFactory.OpenAsync(input);
            var scheme = ShardedImageSource.SchemeOf(source)!;
            var images = await source.ReadAllAsync();
            Assert.NotEmpty(images);
            Assert.All(images, i => Assert.Contains(ShardedImageSource.KeyOf(source, i), scheme.KeysOf(i.Path)));
            Assert.Equal(scheme, ShardKeyScheme.Parse(scheme.KindName, scheme.Root));
        }
    }

    [Fact]
    public async Task ReadAsync_ManifestUnderTwoMountPoints_AssignsEachEntryTheSameShard()
    {
        using var temp = new TempFolder();
        WriteFolder(temp, 40);
        var lines = Enumerable.Range(0, 40).Select(i => $"../images/{(i % 2 == 0 ? "a" : "b")}/img-{i:D3}.png,{(i % 2 == 0 ? "a" : "b")}");
        temp.Write("set/manifest.csv", System.Text.Encoding.UTF8.GetBytes("path,label\n" + string.Join('\n', lines) + "\n"));
        var share = temp.Path;
        Directory.CreateDirectory(temp.Combine("mnt"));
        var mountA = temp.Combine("mnt", "a");
        var mountB = temp.Combine("mnt", "b");
        Directory.CreateSymbolicLink(mountA, share);
        Directory.CreateSymbolicLink(mountB, share);

        for (var i = 0; i < 3; i++)
        {
            var here = await new ShardedImageSource(await ImageSourceFactory.OpenAsync(Path.Combine(mountA, "set", "manifest.csv")), new Shard(i, 3)).ReadAllAsync();
            var there = await new ShardedImageSource(await ImageSourceFactory.OpenAsync(Path.Combine(mountB, "set", "manifest.csv")), new Shard(i, 3)).ReadAllAsync();
            Assert.NotEmpty(here);
            Assert.Equal(here.Select(x => Path.GetRelativePath(mountA, x.Path)), there.Select(x => Path.GetRelativePath(mountB, x.Path)));
        }
    }

    [Fact]
    public void EntryKey_CollapsesDotsAndSeparators_KeepsLeadingParents()
    {
        Assert.Equal("a/b.png", ShardedImageSource.EntryKey("./a//c/../b.png"));
        Assert.Equal("../../x/y.png", ShardedImageSource.EntryKey("../a/../../x/y.png"));
        Assert.Equal("a/b.png", ShardedImageSource.EntryKey("a\\b.png"));
        Assert.Equal("/data/x.png", ShardedImageSource.EntryKey("/data/./y/../x.png"));
    }

    [Fact]
    public void RelativeKey_NameStartingWithTwoDots_IsInsideTheRoot()
    {
        Assert.Equal("..x/img.png", ShardedImageSource.RelativeKey("/data/set", "/data/set/..x/img.png"));
        Assert.Equal("/data/img.png", ShardedImageSource.RelativeKey("/data/set", "/data/img.png"));
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
