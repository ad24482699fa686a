using Pipeline.FeatureStore;

namespace Pipeline.Tests.Cli;

/// <summary><c>pipeline bench-store</c> (hidden), run as bench/train-scale.sh runs it.</summary>
public sealed class BenchStoreCommandTests
{
    [Fact]
    public async Task BenchStore_SmallStore_WritesACompleteStoreOfTheGivenShapeInClassOrderByRow()
    {
        using var dir = new TempFolder();

        using var result = await PipelineProcess.RunAsync(dir.Path, "bench-store", "--output", "store", "--rows", "30", "--dimension", "8", "--classes", "3");

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.StartsWith("rows: 30  dimension: 8  classes: 3  parts: 1  ", result.StandardOutput, StringComparison.Ordinal);
        var reader = await FeatureStoreReader.OpenAsync(dir.Combine("store"));
        Assert.True(reader.IsComplete);
        var set = await reader.ReadAllAsync();
        Assert.Equal(30, set.Count);
        Assert.Equal(8, set.Dimension);
        Assert.Equal(["0000", "0001", "0002"], set.Classes.Names);
        // Row i is class i mod 3; the reader returns rows in path order, synthetic/<class>/<row>.png.
        Assert.Equal("synthetic/0001/000000004.png", set.Paths[11]);
        Assert.Equal(1, set.LabelIndices[11]);
        Assert.All(set.Features, f => Assert.InRange(f, -1f, 1.1f));
    }

    [Fact]
    public async Task Help_DoesNotListBenchStore()
    {
        using var dir = new TempFolder();

        using var result = await PipelineProcess.RunAsync(dir.Path, "--help");

        Assert.DoesNotContain("bench-store", result.StandardOutput, StringComparison.Ordinal);
    }
}
