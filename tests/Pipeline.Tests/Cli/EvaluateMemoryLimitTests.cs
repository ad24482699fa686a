using Pipeline.FeatureStore;
using Pipeline.Tests.FeatureStore;

namespace Pipeline.Tests.Cli;

/// <summary>
/// <c>pipeline evaluate</c> as a child process under a GC heap limit (<c>DOTNET_GCHeapHardLimit</c>), as
/// <see cref="TrainMemoryLimitTests"/> for training: a store that will not fit is refused before it is read.
/// </summary>
public sealed class EvaluateMemoryLimitTests
{
    // 12,000 × 512 float32 is 24.6 MB; with the probabilities, the rows' strings and the GC's headroom evaluation needs about 56 MB.
    private const int Rows = 12_000;
    private const int Dimension = 512;

    [Fact]
    public async Task Evaluate_StoreLargerThanTheHeapLimit_IsRefusedBeforeLoadingWithTheBoundAndTheWayOut()
    {
        using var dir = new TempFolder();
        var (model, store) = await TrainAndWriteStoreAsync(dir);

        using var evaluate = await PipelineProcess.RunAsync(
            dir.Path, Limit(32), "evaluate", "--model", model, "--features", store, "--output", "report");

        Assert.True(evaluate.ExitCode == 1, evaluate.Output);
        var line = Assert.Single(evaluate.ErrorLines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.StartsWith($"error: Feature store '{store}' holds 12,000 rows × 512 features, and evaluation holds them in memory: it needs about 0.05 GiB", line, StringComparison.Ordinal);
        Assert.Contains("evaluate a sample or one shard (featurize --shard 0/N into its own store), or score it with Spark", line, StringComparison.Ordinal);
        Assert.DoesNotContain("OutOfMemory", evaluate.Output, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("report")));
    }

    [Fact]
    public async Task Evaluate_SameStoreUnderALimitItFits_Evaluates()
    {
        using var dir = new TempFolder();
        var (model, store) = await TrainAndWriteStoreAsync(dir);

        using var evaluate = await PipelineProcess.RunAsync(
            dir.Path, Limit(256), "evaluate", "--model", model, "--features", store, "--output", "report");

        Assert.True(evaluate.ExitCode == 0, evaluate.Output);
        Assert.True(File.Exists(dir.Combine("report", "metrics.json")));
    }

    private static Dictionary<string, string> Limit(int mebibytes) => new() { ["DOTNET_GCHeapHardLimit"] = $"0x{(long)mebibytes << 20:X}" };

    /// <summary>A model trained (without a limit) on a small store, and the large store of the same featurizer to evaluate it on.</summary>
    private static async Task<(string Model, string Store)> TrainAndWriteStoreAsync(TempFolder dir)
    {
        await WriteStoreAsync(dir.Combine("small"), 300);
        using var train = await PipelineProcess.RunAsync(dir.Path, "train", "--features", "small", "--output", "model", "--max-iter", "2", "--test-fraction", "0");
        Assert.True(train.ExitCode == 0, train.Output);
        var store = dir.Combine("store");
        await WriteStoreAsync(store, Rows);
        return (dir.Combine("model"), store);
    }

    private static async Task WriteStoreAsync(string store, int rows)
    {
        var writer = await FeatureStoreWriter.CreateAsync(store, SyntheticFeatures.Metadata(Dimension), new FeatureStoreOptions(), CancellationToken.None);
        await using (writer)
        {
            await SyntheticFeatures.WriteRowsAsync(writer, 0, rows, 1000);
            await writer.CompleteAsync(CancellationToken.None);
        }
    }
}
