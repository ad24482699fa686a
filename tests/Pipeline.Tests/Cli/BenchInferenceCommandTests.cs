using System.Globalization;
using Pipeline.Tests.Featurization;

namespace Pipeline.Tests.Cli;

/// <summary><c>pipeline bench-inference</c>, run as the benchmark script runs it.</summary>
public sealed class BenchInferenceCommandTests
{
    /// <summary>Images are rounded up to whole batches of every run: 3 at batch 2 are two batches of one run or one of each of two runs, and 5 two of each.</summary>
    [Theory]
    [InlineData(3, 1, 4)]
    [InlineData(3, 2, 4)]
    [InlineData(5, 2, 8)]
    public async Task BenchInference_RealImage_PrintsWholeBatchesOfEachRunAndAPositiveRate(int images, int runs, int total)
    {
        using var work = new TempFolder();
        var image = work.Write("digit.png", GeneratedImages.Png(7));

        using var result = await PipelineProcess.RunAsync(
            work.Path, "bench-inference", "--model", "resnet18", "--device", "cpu", "--batch-size", "2", "--runs", runs.ToString(CultureInfo.InvariantCulture),
            "--images", images.ToString(CultureInfo.InvariantCulture), "--image", image);

        Assert.Equal(0, result.ExitCode);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith($"model: resnet18  device: CPU  batch: 2  runs: {runs}  images: {total}  ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("images/s: ", lines[1], StringComparison.Ordinal);
        Assert.True(double.Parse(lines[1]["images/s: ".Length..], CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public async Task BenchInference_TwoRunsStopped_ExitsAsAStopNotAWrappedError()
    {
        using var work = new TempFolder();

        using var bench = PipelineProcess.Start(work.Path, "bench-inference", "--device", "cpu", "--batch-size", "1", "--runs", "2", "--images", "1000000");
        await Poll.UntilAsync(
            () => bench.ErrorLines.Any(line => line.Contains("2 run(s) at once", StringComparison.Ordinal)) || bench.HasExited,
            PipelineProcess.Patience,
            TimeSpan.FromMilliseconds(20));
        await Task.Delay(TimeSpan.FromSeconds(1));
        bench.Terminate();
        await bench.WaitForExitAsync();

        Assert.True(bench.ExitCode == 130, bench.Output);
        Assert.DoesNotContain("AggregateException", bench.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchInference_ImageNotAnImage_ExitsOneNamingTheFileAndReason()
    {
        using var work = new TempFolder();
        var text = work.Write("notes.png", "just text"u8.ToArray());

        using var result = await PipelineProcess.RunAsync(work.Path, "bench-inference", "--device", "cpu", "--images", "1", "--image", text);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines);
        Assert.Contains($"--image '{text}' cannot be used", line, StringComparison.Ordinal);
        Assert.Contains("not a recognised image format", line, StringComparison.Ordinal);
    }
}
