using System.Diagnostics;
using Pipeline.Featurization;

namespace Pipeline.Tests.Featurization;

public sealed class FeaturizationCountersTests : IDisposable
{
    private readonly PipelineMeter _meter = new();

    public void Dispose() => _meter.Dispose();

    [Fact]
    public void RateAt_StreamIdleForAMinuteAfterABurst_IsZeroNotTheLifetimeAverage()
    {
        var counters = new FeaturizationCounters(_meter);
        Assert.Equal(0, counters.RateAt(TimeSpan.FromSeconds(5)));

        counters.AddCommitted(Enumerable.Repeat(Stopwatch.GetTimestamp(), 90).ToArray(), rejected: 10);

        Assert.Equal(100 / 65.0, counters.RateAt(TimeSpan.FromSeconds(70)), 9);
        Assert.Equal(0, counters.RateAt(TimeSpan.FromSeconds(140)));
    }

    [Fact]
    public void RateAt_FirstRead_IsTheRateSinceTheStart()
    {
        var counters = new FeaturizationCounters(_meter);
        counters.AddCommitted(Enumerable.Repeat(Stopwatch.GetTimestamp(), 20).ToArray(), rejected: 0);

        Assert.Equal(2.0, counters.RateAt(TimeSpan.FromSeconds(10)), 9);
    }
}
