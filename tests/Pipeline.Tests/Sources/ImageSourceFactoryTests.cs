using System.Text;
using Pipeline.Sources;

namespace Pipeline.Tests.Sources;

public sealed class ImageSourceFactoryTests
{
    [Fact]
    public async Task OpenAsync_EachInputKind_OpensItsSource()
    {
        using var folder = new TempFolder();
        folder.Write("set/a/x.png");
        var csv = folder.Write("m.CSV", Encoding.UTF8.GetBytes("path,label\nx.png,a\n"));
        var images = folder.Write("imgs", IdxImageSourceTests.ImagesFile(1, [[1, 2, 3, 4, 5, 6]]));
        var labels = folder.Write("labels", IdxImageSourceTests.LabelsFile([4]));

        Assert.IsType<FolderImageSource>(await ImageSourceFactory.OpenAsync(Path.Combine(folder.Path, "set")));
        Assert.IsType<ManifestImageSource>(await ImageSourceFactory.OpenAsync(csv));
        var idx = Assert.IsType<IdxImageSource>(await ImageSourceFactory.OpenAsync($"idx:{images},{labels}"));
        Assert.Equal(["4"], idx.Classes.Names);
    }

    [Fact]
    public void Parse_EachInputForm_GivesItsTypedDefinition()
    {
        using var folder = new TempFolder();
        var set = Directory.CreateDirectory(folder.Combine("set")).FullName;
        var folderNamedLikeAManifest = Directory.CreateDirectory(folder.Combine("set.csv")).FullName;

        Assert.Equal(new FolderSourceDefinition(set), ImageSourceFactory.Parse(set));
        Assert.Equal(new FolderSourceDefinition(folderNamedLikeAManifest), ImageSourceFactory.Parse(folderNamedLikeAManifest));
        Assert.Equal(new ManifestSourceDefinition("missing.csv"), ImageSourceFactory.Parse("missing.csv"));
        Assert.Equal(new ManifestSourceDefinition("m.PARQUET"), ImageSourceFactory.Parse("m.PARQUET"));
        Assert.Equal(new IdxSourceDefinition("i.gz", "l.gz"), ImageSourceFactory.Parse("idx:i.gz,l.gz"));
        Assert.Equal(new IdxSourceDefinition("i.gz", "l.gz"), ImageSourceFactory.Parse("IDX: i.gz , l.gz "));
    }

    [Fact]
    public void Parse_IdxPairInAFolderWithACommaInItsName_SplitsAtTheOnlyCommaThatNamesTwoFiles()
    {
        using var folder = new TempFolder();
        var images = folder.Write(Path.Combine("mnist,small", "imgs"));
        var labels = folder.Write(Path.Combine("mnist,small", "labels"));

        Assert.Equal(new IdxSourceDefinition(images, labels), ImageSourceFactory.Parse($"idx:{images},{labels}"));
    }

    [Theory]
    [InlineData("idx:")]
    [InlineData("idx:only-one")]
    [InlineData("idx:,l.gz")]
    public void Parse_IdxWithoutTwoFiles_SaysWhatItMustName(string input)
    {
        var e = Assert.Throws<SourceException>(() => ImageSourceFactory.Parse(input));

        Assert.Equal($"IDX input '{input}' must name two files: idx:IMAGES,LABELS.", e.Message);
    }

    [Fact]
    public async Task OpenAsync_EachDefinition_OpensItsSource()
    {
        using var folder = new TempFolder();
        folder.Write("set/a/x.png");
        var csv = folder.Write("m.csv", Encoding.UTF8.GetBytes("path,label\nx.png,a\n"));
        var images = folder.Write("i,1", IdxImageSourceTests.ImagesFile(1, [[1, 2, 3, 4, 5, 6]]));
        var labels = folder.Write("l,2", IdxImageSourceTests.LabelsFile([4]));

        Assert.IsType<FolderImageSource>(await ImageSourceFactory.OpenAsync(new FolderSourceDefinition(folder.Combine("set"))));
        Assert.IsType<ManifestImageSource>(await ImageSourceFactory.OpenAsync(new ManifestSourceDefinition(csv)));
        var idx = Assert.IsType<IdxImageSource>(await ImageSourceFactory.OpenAsync(new IdxSourceDefinition(images, labels)));
        Assert.Equal($"idx {images},{labels}", idx.Description);
        Assert.Equal(["4"], idx.Classes.Names);
    }

    [Fact]
    public async Task OpenAsync_DefinitionOfAMissingFolderOrFile_ThrowsNamingIt()
    {
        using var folder = new TempFolder();
        var labels = folder.Write("labels", IdxImageSourceTests.LabelsFile([4]));
        var missing = folder.Combine("missing");

        var folderError = await Assert.ThrowsAsync<SourceException>(() => ImageSourceFactory.OpenAsync(new FolderSourceDefinition(missing)));
        var manifestError = await Assert.ThrowsAsync<SourceException>(() => ImageSourceFactory.OpenAsync(new ManifestSourceDefinition(missing + ".csv")));
        var idxError = await Assert.ThrowsAsync<SourceException>(() => ImageSourceFactory.OpenAsync(new IdxSourceDefinition(missing, labels)));

        Assert.Equal($"Image folder '{missing}' does not exist.", folderError.Message);
        Assert.Equal($"Manifest '{missing}.csv' does not exist.", manifestError.Message);
        Assert.Equal($"IDX file '{missing}' does not exist.", idxError.Message);
    }

    [Fact]
    public async Task OpenAsync_ManifestOrIdxFileIsAFifo_ThrowsNamingItWithoutOpeningIt()
    {
        using var folder = new TempFolder();
        var manifest = SpecialFiles.Fifo(folder.Combine("m.csv"));
        var labels = folder.Write("labels", IdxImageSourceTests.LabelsFile([4]));

        // Bounded: opening a FIFO nobody writes to would block for ever.
        var manifestError = await Assert.ThrowsAsync<SourceException>(() => Task.Run(() => ImageSourceFactory.OpenAsync(manifest)).WaitAsync(TimeSpan.FromSeconds(30)));
        var idxError = await Assert.ThrowsAsync<SourceException>(() => Task.Run(() => ImageSourceFactory.OpenAsync($"idx:{manifest},{labels}")).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal($"Manifest '{manifest}' is not a regular file (FIFO).", manifestError.Message);
        Assert.Equal($"IDX file '{manifest}' is not a regular file (FIFO).", idxError.Message);
    }

    [Theory]
    [InlineData("missing-folder", "does not exist")]
    [InlineData("missing.csv", "does not exist")]
    [InlineData("missing.parquet", "does not exist")]
    [InlineData("empty", "no images")]
    [InlineData("header-only.csv", "lists no images")]
    [InlineData("notes.txt", "neither a folder")]
    public async Task OpenAsync_MissingOrEmptyInput_ThrowsNamingThePath(string name, string expected)
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(Path.Combine(folder.Path, "empty", "a"));
        folder.Write("header-only.csv", Encoding.UTF8.GetBytes("path,label\n"));
        folder.Write("notes.txt");
        var input = Path.Combine(folder.Path, name);

        var e = await Assert.ThrowsAsync<SourceException>(() => ImageSourceFactory.OpenAsync(input));

        Assert.Contains(input, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task OpenAsync_BlankInput_ListsTheInputForms(string input)
    {
        var e = await Assert.ThrowsAsync<SourceException>(() => ImageSourceFactory.OpenAsync(input));

        Assert.Equal("No input given: expected a folder, a .csv or .parquet manifest, or idx:IMAGES,LABELS.", e.Message);
    }

    [Fact]
    public async Task OpenAsync_FileOfNoInputForm_ListsTheInputForms()
    {
        using var folder = new TempFolder();
        var notes = folder.Write("notes.txt");

        var e = await Assert.ThrowsAsync<SourceException>(() => ImageSourceFactory.OpenAsync(notes));

        Assert.Equal($"Input '{notes}' is neither a folder, a .csv or .parquet manifest, nor idx:IMAGES,LABELS.", e.Message);
    }

    [Fact]
    public async Task OpenAsync_IdxWithMissingFile_ThrowsNamingIt()
    {
        using var folder = new TempFolder();
        var images = folder.Write("imgs", IdxImageSourceTests.ImagesFile(1, [[1, 2, 3, 4, 5, 6]]));
        var labels = Path.Combine(folder.Path, "nope");

        var e = await Assert.ThrowsAsync<SourceException>(() => ImageSourceFactory.OpenAsync($"idx:{images},{labels}"));

        Assert.Contains(labels, e.Message);
    }

    [Fact]
    public async Task OpenAsync_IdxPairInAFolderWithACommaInItsName_OpensTheOnlySplitThatNamesTwoFiles()
    {
        using var folder = new TempFolder();
        var images = folder.Write(Path.Combine("mnist,small", "imgs"), IdxImageSourceTests.ImagesFile(1, [[1, 2, 3, 4, 5, 6]]));
        var labels = folder.Write(Path.Combine("mnist,small", "labels"), IdxImageSourceTests.LabelsFile([4]));

        var idx = Assert.IsType<IdxImageSource>(await ImageSourceFactory.OpenAsync($"idx:{images},{labels}"));

        Assert.Equal($"idx {images},{labels}", idx.Description);
        Assert.Equal(["4"], idx.Classes.Names);
    }

    [Fact]
    public async Task OpenAsync_IdxPairThatSplitsIntoTwoExistingPairs_ThrowsNamingBoth()
    {
        using var folder = new TempFolder();
        var (x, y, z) = (folder.Combine("x"), folder.Combine("y"), folder.Combine("z"));
        folder.Write("x");
        folder.Write("z");
        // Folders named "y," and "x," whose trees repeat the temp folder's path.
        folder.Write($"y,{z}");
        folder.Write($"x,{y}");
        var input = $"idx:{x},{y},{z}";

        var e = await Assert.ThrowsAsync<SourceException>(() => ImageSourceFactory.OpenAsync(input));

        Assert.Equal(
            $"IDX input '{input}' is ambiguous: it splits into two existing files at 2 of its 2 commas ('{x}' + '{y},{z}', '{x},{y}' + '{z}'); "
            + "name the files separately in a pipeline file (source: {kind: idx, images: …, labels: …}).",
            e.Message);
    }

    [Fact]
    public async Task OpenAsync_IdxWithCommasAndNoSplitNamingTwoFiles_SaysSo()
    {
        using var folder = new TempFolder();
        var input = $"idx:{folder.Combine("a,b", "imgs")},{folder.Combine("a,b", "labels")}";

        var e = await Assert.ThrowsAsync<SourceException>(() => ImageSourceFactory.OpenAsync(input));

        Assert.StartsWith($"IDX input '{input}' holds 3 commas, and no split at one of them names two existing files", e.Message, StringComparison.Ordinal);
    }
}
