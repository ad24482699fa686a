using Pipeline.FeatureStore;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Cli;

/// <summary>
/// <c>pipeline train</c> as a child process under a GC heap limit (<c>DOTNET_GCHeapHardLimit</c>, which .NET
/// reads as it reads a container's cgroup limit): a store that will not fit is refused before it is read.
/// </summary>
public sealed class TrainMemoryLimitTests
{
    // 6,000 × 512 float32 is 12 MiB; with the split, the standardised copy and the GC's headroom training needs about 72 MB.
    private const int Rows = 6000;
    private const int Dimension = 512;

    [Fact]
    public async Task Train_StoreLargerThanTheHeapLimit_IsRefusedBeforeLoadingWithTheBoundAndTheWayOut()
    {
        using var dir = new TempFolder();
        var store = await WriteStoreAsync(dir);

        using var train = await PipelineProcess.RunAsync(
            dir.Path, Limit(32), "train", "--features", store, "--output", "model", "--max-iter", "2");

        Assert.True(train.ExitCode == 1, train.Output);
        var line = Assert.Single(train.ErrorLines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.StartsWith($"error: Feature store '{store}' holds 6,000 rows × 512 features, and training holds them in memory: it needs about 0.07 GiB", line, StringComparison.Ordinal);
        Assert.Contains("train on a sample or on one shard", line, StringComparison.Ordinal);
        Assert.Contains("or fit it with Spark", line, StringComparison.Ordinal);
        Assert.DoesNotContain("OutOfMemory", train.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("model")));
    }

    [Fact]
    public async Task Train_SameStoreUnderALimitItFits_Trains()
    {
        using var dir = new TempFolder();
        var store = await WriteStoreAsync(dir);

        using var train = await PipelineProcess.RunAsync(
            dir.Path, Limit(256), "train", "--features", store, "--output", "model", "--max-iter", "2");

        Assert.True(train.ExitCode == 0, train.Output);
        Assert.Contains("train: 4800  test: 1200  ", train.StandardOutput, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Limit(int mebibytes) => new() { ["DOTNET_GCHeapHardLimit"] = $"0x{(long)mebibytes << 20:X}" };

    private static async Task<string> WriteStoreAsync(TempFolder dir)
    {
        var store = dir.Combine("store");
        var writer = await FeatureStoreWriter.CreateAsync(store, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None);
        await using (writer)
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, Rows, 1000);
            await writer.CompleteAsync(CancellationToken.None);
        }

        return store;
    }
}
