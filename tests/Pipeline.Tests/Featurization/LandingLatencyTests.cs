using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Featurization;
using Pipeline.Sources;

namespace Pipeline.Tests.Featurization;

/// <summary>The landing-to-commit latency counts the time a file waited in its folder before the source took it.</summary>
public sealed class LandingLatencyTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly PipelineMeter _meter = new();

    public void Dispose()
    {
        _meter.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public async Task RunAsync_ImagesThatLandedAMinuteAgo_RecordALatencyOfAtLeastAMinute()
    {
        var landed = (DateTime.UtcNow.AddMinutes(-1) - DateTime.UnixEpoch).Ticks * 100;
        var source = new ArrivedSource(_folder.Combine("images"), landed);
        var counters = new FeaturizationCounters(_meter);

        await FeaturizationJob.RunAsync(source, TestFeaturization.ResNet18, _folder.Combine("store"), TestFeaturization.Options, counters, NullLogger.Instance, CancellationToken.None);

        var (p50, p95) = counters.LatencyPercentiles()!.Value;
        Assert.InRange(p50, 60, 120);
        Assert.InRange(p95, 60, 120);
    }

    [Fact]
    public void LandingTimestamp_ImageWithoutArrival_IsWhenItIsYielded()
    {
        var before = System.Diagnostics.Stopwatch.GetTimestamp();

        var at = FeaturizationGraph.LandingTimestamp(new LabelledImage(0, "x.png", "a", 0));

        Assert.InRange(at, before, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    /// <summary>Three generated images whose files arrived at <paramref name="landedUnixNs"/>, as a watch reports them.</summary>
    private sealed class ArrivedSource(string root, long landedUnixNs) : ILabelledImageSource
    {
        private readonly Dictionary<string, string> _files = GeneratedImages.WriteFolder(root, 3, "a");

        public string Description => "images that arrived a minute ago";

        public ClassList Classes { get; } = ClassList.FromLabels(["a"]);

        public async IAsyncEnumerable<LabelledImage> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            long ordinal = 0;
            foreach (var path in _files.Keys.Order(StringComparer.Ordinal))
            {
                await Task.Yield();
                var (bytes, modified) = FileStamp.Of(new FileInfo(path));
                yield return new LabelledImage(ordinal++, path, "a", 0) { FileBytes = bytes, FileModifiedUnixMs = modified, LandedUnixNs = landedUnixNs };
            }
        }
    }
}
