using Pipeline.FeatureStore;
using Pipeline.Sources;
using Pipeline.Tests.Sources;

namespace Pipeline.Tests.Featurization;

/// <summary>Each kind of source, opened by its input string, through the whole job into a store.</summary>
public sealed class FeaturizationJobSourceTests
{
    [Fact]
    public async Task RunAsync_Folder_StoresEveryImageWithItsFolderLabel()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        var expected = GeneratedImages.WriteFolder(input.Path, 6, "b", "a");

        var summary = await TestFeaturization.RunAsync(await ImageSourceFactory.OpenAsync(input.Path), output.Path);

        await AssertStoreAsync(output.Path, expected, ["a", "b"]);
        Assert.Equal((6, 6, 0), (summary.Read, summary.Featurized, summary.Rejected));
    }

    [Fact]
    public async Task RunAsync_CsvManifest_StoresEveryListedImageWithItsManifestLabel()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        var labels = new[] { "zebra", "yak", "zebra", "xerus", "yak", "zebra" };
        var expected = new Dictionary<string, string>();
        var lines = new List<string> { "label,path" };
        for (var i = 0; i < labels.Length; i++)
        {
            expected[input.Write($"images/{i}.png", GeneratedImages.Png(i))] = labels[i];
            lines.Add($"{labels[i]},images/{i}.png");
        }

        var manifest = input.Write("manifest.csv", System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines)));

        var summary = await TestFeaturization.RunAsync(await ImageSourceFactory.OpenAsync(manifest), output.Path);

        await AssertStoreAsync(output.Path, expected, ["xerus", "yak", "zebra"]);
        Assert.Equal((6, 6, 0), (summary.Read, summary.Featurized, summary.Rejected));
    }

    [Fact]
    public async Task RunAsync_CsvManifestListingEveryImageThrice_FeaturizesEachOnceAndCountsTheRepeats()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        var expected = new Dictionary<string, string>();
        var lines = new List<string> { "path,label" };
        for (var i = 0; i < 5; i++)
        {
            expected[input.Write($"images/{i}.png", GeneratedImages.Png(i))] = i % 2 == 0 ? "even" : "odd";
        }

        for (var copy = 0; copy < 3; copy++)
        {
            lines.AddRange(expected.Select(e => $"{Path.GetRelativePath(input.Path, e.Key)},{e.Value}"));
        }

        var manifest = input.Write("manifest.csv", System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines)));

        var summary = await TestFeaturization.RunAsync(await ImageSourceFactory.OpenAsync(manifest), output.Path);

        await AssertStoreAsync(output.Path, expected, ["even", "odd"]);
        Assert.Equal((5, 5, 0, 10), (summary.Read, summary.Featurized, summary.Rejected, summary.Duplicates));
        Assert.Equal(5, (await FeatureStoreReader.OpenAsync(output.Path)).Count);
    }

    [Fact]
    public async Task RunAsync_IdxGzipPair_StoresEveryImageUnderItsIdWithItsDigitLabel()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        byte[] labels = [3, 1, 3, 0, 1];
        var pixels = labels.Select((_, i) => Enumerable.Range(0, 6).Select(j => (byte)(40 * i + 7 * j)).ToArray()).ToArray();
        var images = input.Write("imgs.gz", IdxImageSourceTests.Encode(IdxImageSourceTests.ImagesFile(labels.Length, pixels), gzip: true));
        var labelFile = input.Write("labels.gz", IdxImageSourceTests.Encode(IdxImageSourceTests.LabelsFile(labels), gzip: true));
        var expected = labels.Select((l, i) => (Path: $"{images}#{i}", Label: l.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToDictionary(e => e.Path, e => e.Label);

        var source = await ImageSourceFactory.OpenAsync($"{ImageSourceFactory.IdxPrefix}{images},{labelFile}");
        var summary = await TestFeaturization.RunAsync(source, output.Path);

        await AssertStoreAsync(output.Path, expected, ["0", "1", "3"]);
        Assert.Equal((5, 5, 0), (summary.Read, summary.Featurized, summary.Rejected));
        var reader = await FeatureStoreReader.OpenAsync(output.Path);
        await foreach (var record in reader.ReadRecordsAsync())
        {
            // IdxImageSourceTests' images are 3 wide and 2 high.
            Assert.Equal((3, 2), (record.Width, record.Height));
        }
    }

    private static async Task AssertStoreAsync(string output, IReadOnlyDictionary<string, string> expected, string[] classes)
    {
        var reader = await FeatureStoreReader.OpenAsync(output);
        var set = await reader.ReadAllAsync();

        Assert.True(reader.IsComplete);
        Assert.Equal(classes, reader.Metadata.Classes);
        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), set.Paths.Order(StringComparer.Ordinal));
        for (var i = 0; i < set.Count; i++)
        {
            Assert.Equal(expected[set.Paths[i]], set.Labels[i]);
            Assert.Equal(Array.IndexOf(classes, set.Labels[i]), set.LabelIndices[i]);
        }

        Assert.Empty(await RejectsReader.ReadAsync(output));
    }
}
