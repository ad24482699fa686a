using System.Globalization;
using Pipeline.Tests.FeatureStore;
using Pipeline.Tests.Runs.EndToEnd;

namespace Pipeline.Tests.Featurization;

/// <summary><c>pipeline featurize</c> as a real process stopped by SIGTERM: its summary gives the true counts of what it kept.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class FeaturizeStopTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Featurize_SigtermMidRun_PrintsTheCountsOfTheRowsItKeptAndExits130()
    {
        var images = DigitsSubset.CopyTo(_dir.Combine("digits"), classes: 3, perClass: 20);
        var output = _dir.Combine("store");
        var features = Path.Combine(output, "features");
        using var featurize = PipelineProcess.Start(
            _dir.Path, "featurize", "--input", "digits", "--output", "store", "--device", "cpu", "--batch-size", "4", "--parallelism", "1", "--rows-per-part", "8");
        await featurize.WaitForFirstPartAsync(features);

        featurize.Terminate();
        await featurize.WaitForExitAsync();

        Assert.True(featurize.ExitCode == 130, featurize.Output);
        Assert.False(File.Exists(Path.Combine(features, "_SUCCESS")), "featurization finished before the stop; the test needs a slower pace or more images");
        var kept = DuckDbQuery.Count($"SELECT count(*) FROM read_parquet({DuckDbQuery.Parts(output)})");
        Assert.InRange(kept, 8, images - 1);
        var summary = Assert.Single(featurize.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Matches($"^stopped after read: [0-9]+  featurized: {kept.ToString(CultureInfo.InvariantCulture)}  rejected: 0  cached: 0$", summary);
    }
}
