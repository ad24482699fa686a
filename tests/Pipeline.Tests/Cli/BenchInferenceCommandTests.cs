using System.Globalization;
using Pipeline.Tests.Featurization;

namespace Pipeline.Tests.Cli;

/// <summary><c>pipeline bench-inference</c>, run as the benchmark script runs it.</summary>
public sealed class BenchInferenceCommandTests
{
    [Fact]
    public async Task BenchInference_RealImage_PrintsWholeBatchesAndAPositiveRate()
    {
        using var work = new TempFolder();
        var image = work.Write("digit.png", GeneratedImages.Png(7));

        using var result = await PipelineProcess.RunAsync(
            work.Path, "bench-inference", "--model", "resnet18", "--device", "cpu", "--batch-size", "2", "--images", "3", "--image", image);

        Assert.Equal(0, result.ExitCode);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.StartsWith("model: resnet18  device: CPU  batch: 2  images: 4  ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("images/s: ", lines[1], StringComparison.Ordinal);
        Assert.True(double.Parse(lines[1]["images/s: ".Length..], CultureInfo.InvariantCulture) > 0);
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
