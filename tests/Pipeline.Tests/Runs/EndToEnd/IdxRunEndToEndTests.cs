using Pipeline.FeatureStore;
using Pipeline.Runs;
using Pipeline.Tests.Sources;

namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>A pipeline run over an IDX pair, in process with the real stages and the bundled ResNet18.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class IdxRunEndToEndTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private readonly RunServiceHost _host;

    public IdxRunEndToEndTests() => _host = new RunServiceHost(_dir.Path);

    public void Dispose()
    {
        _host.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task RunAsync_IdxPairInAFolderWithACommaInItsName_FeaturizesEveryImageAndCompletes()
    {
        // Three classes of four 3 × 2 images, each class one flat grey level.
        byte[] labels = [.. Enumerable.Range(0, 12).Select(i => (byte)(i % 3))];
        var pixels = labels.Select(l => Enumerable.Repeat((byte)(40 + (80 * l)), 6).ToArray()).ToArray();
        var images = _dir.Write(Path.Combine("mnist,small", "images-idx3-ubyte.gz"), IdxImageSourceTests.Encode(IdxImageSourceTests.ImagesFile(labels.Length, pixels), gzip: true));
        _dir.Write(Path.Combine("mnist,small", "labels-idx1-ubyte.gz"), IdxImageSourceTests.Encode(IdxImageSourceTests.LabelsFile(labels), gzip: true));
        var file = _dir.Combine("idx.yaml");
        File.WriteAllText(file, """
            name: idx
            source: { kind: idx, images: "mnist,small/images-idx3-ubyte.gz", labels: "mnist,small/labels-idx1-ubyte.gz" }
            model: { name: resnet18 }
            featurize: { device: cpu, batchSize: 4, parallelism: 1 }
            train: { maxIter: 5 }
            output: idx
            """);

        var result = await _host.Service.RunAsync(file);

        Assert.True(result.State == RunState.Completed, result.Error);
        Assert.Equal(new RunCounts(Read: 12, Featurized: 12, Cached: 0, Rejected: 0), result.Record!.Counts);
        var store = await FeatureStoreReader.OpenAsync(_dir.Combine("runs", "idx"));
        var features = await store.ReadAllAsync();
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"{images}#{i}").Order(StringComparer.Ordinal), features.Paths.Order(StringComparer.Ordinal));
    }
}
