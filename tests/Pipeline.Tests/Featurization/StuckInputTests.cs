using System.Text;
using Pipeline.Decoding;
using Pipeline.FeatureStore;
using Pipeline.Sources;
using Pipeline.Tests.Runs.EndToEnd;

namespace Pipeline.Tests.Featurization;

/// <summary>
/// Inputs that would hang a run: paths that are not regular files, which opening would block on (a
/// FIFO waits for a writer) or read forever (a device), and decodes over the time limit. Each
/// becomes one reject, and the rest of the run is unaffected.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class StuckInputTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Featurize_FifoNamedPngInAClassFolder_ExitsZeroWithTheTenImagesAndOneRejectNamingTheFifo()
    {
        var images = _dir.Combine("images");
        var written = GeneratedImages.WriteFolder(images, 10, "a", "b");
        var fifo = SpecialFiles.Fifo(Path.Combine(images, "a", "x.png"));
        var store = _dir.Combine("store");

        // Before the fix this process never ended: PipelineProcess gives up after its patience.
        using var result = await PipelineProcess.RunAsync(_dir.Path, "featurize", "--device", "cpu", "--input", images, "--output", store);

        Assert.True(result.ExitCode == 0, result.Output);
        var features = await (await FeatureStoreReader.OpenAsync(store)).ReadAllAsync();
        Assert.Equal(written.Keys.Order(StringComparer.Ordinal), features.Paths.Order(StringComparer.Ordinal));
        var reject = Assert.Single(await RejectsReader.ReadAsync(store));
        Assert.Equal(fifo, reject.Path);
        Assert.Equal(RejectStages.Read, reject.Stage);
        Assert.StartsWith("The path is not a regular file (FIFO)", reject.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ManifestRowsNamingLinksToAFifoAndADevice_RejectsThemAndFeaturizesTheRest()
    {
        var good = _dir.Write("images/good.png", GeneratedImages.Png(1));
        var fifo = SpecialFiles.Link(_dir.Combine("images", "fifo.png"), SpecialFiles.Fifo(_dir.Combine("images", "pipe")));
        var device = SpecialFiles.Link(_dir.Combine("images", "zero.png"), "/dev/zero");
        var manifest = _dir.Write("manifest.csv", Encoding.UTF8.GetBytes("path,label\nimages/good.png,a\nimages/fifo.png,a\nimages/zero.png,b\n"));
        var source = await ImageSourceFactory.OpenAsync(manifest);
        var store = _dir.Combine("store");

        var summary = await TestFeaturization.RunAsync(source, store).WaitAsync(PipelineProcess.Patience);

        Assert.Equal((1, 2), (summary.Featurized, summary.Rejected));
        Assert.Equal([good], (await (await FeatureStoreReader.OpenAsync(store)).ReadAllAsync()).Paths);
        var rejects = (await RejectsReader.ReadAsync(store)).OrderBy(r => r.Path, StringComparer.Ordinal).ToArray();
        Assert.Equal([fifo, device], rejects.Select(r => r.Path));
        Assert.StartsWith("The path is not a regular file (FIFO)", rejects[0].Reason, StringComparison.Ordinal);
        Assert.StartsWith("The path is not a regular file (character device)", rejects[1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Featurize_MaxDecodeSecondsShorterThanAnyDecode_RejectsEveryImageAtLimitsAndExitsZero()
    {
        var images = _dir.Combine("images");
        var written = GeneratedImages.WriteFolder(images, 3, "a");
        var store = _dir.Combine("store");

        using var result = await PipelineProcess.RunAsync(
            _dir.Path, "featurize", "--device", "cpu", "--input", images, "--output", store, "--max-decode-seconds", "0.000001");

        Assert.True(result.ExitCode == 0, result.Output);
        var rejects = await RejectsReader.ReadAsync(store);
        Assert.Equal(written.Keys.Order(StringComparer.Ordinal), rejects.Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.All(rejects, r => Assert.Equal(
            new Reject(r.Path, RejectStages.Limits, "Decoding did not finish within the time limit of 0.000001 s, so it was abandoned."), r));
    }
}
