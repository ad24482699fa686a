using System.Globalization;
using Pipeline.Tests.FeatureStore;
using Pipeline.Tests.Runs.EndToEnd;

namespace Pipeline.Tests.Cli;

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

    [Fact]
    public async Task Featurize_SignalledTwiceWhileOpeningAManifestThatNeverOpens_EndsAtOnce()
    {
        // A fuzz finding: Parquet.Net 6.1.0 spins forever in this manifest's footer, and nothing there
        // observes the stop token, so only the second signal's default action can end the process.
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Fuzz", "parquet-manifest-reader-never-returns.parquet"), _dir.Combine("m.parquet"));
        using var featurize = PipelineProcess.Start(_dir.Path, "featurize", "--input", "m.parquet", "--output", "store", "--device", "cpu");
        // Start-up takes well under this much CPU; the spin in the footer takes it quickly, and the
        // stop handler is registered before the manifest is opened.
        await Poll.UntilAsync(() => featurize.ProcessorTime > TimeSpan.FromSeconds(4) || featurize.HasExited, PipelineProcess.Patience, TimeSpan.FromMilliseconds(100));
        Assert.False(featurize.HasExited, featurize.Output);

        featurize.Terminate();
        await Poll.UntilAsync(() => featurize.Output.Contains("Stopping:", StringComparison.Ordinal), PipelineProcess.Patience, TimeSpan.FromMilliseconds(100));
        await Poll.UntilAsync(
            () =>
            {
                if (!featurize.HasExited)
                {
                    featurize.Terminate();
                }

                return featurize.HasExited;
            },
            PipelineProcess.Patience,
            TimeSpan.FromMilliseconds(500));

        Assert.Equal(143, featurize.ExitCode);
        Assert.Contains("Stopping: committing the rows already featurized; signal again (Ctrl+C or SIGTERM) to end at once.", featurize.ErrorLines);
    }
}
