using Pipeline.Featurization;

namespace Pipeline.Tests.Featurization;

public sealed class RecentRateTests
{
    [Fact]
    public void Add_OnceAWindow_MeasuresTheLastWindow()
    {
        // A stream's log line comes every 10 s, the window's length, a little late each time.
        var rate = new RecentRate(TimeSpan.FromSeconds(10));
        rate.Add(TimeSpan.Zero, 0);

        Assert.Equal(10.0, rate.Add(TimeSpan.FromSeconds(10.001), 100), 2);
        Assert.Equal(30.0, rate.Add(TimeSpan.FromSeconds(20.002), 400), 2);
    }

    [Fact]
    public void Add_OftenerThanTheWindow_MeasuresFromTheNewestSampleAWindowOld()
    {
        var rate = new RecentRate(TimeSpan.FromSeconds(10));
        for (var second = 0; second <= 10; second++)
        {
            rate.Add(TimeSpan.FromSeconds(second), 0);
        }

        // The last 10 s hold the 50 images counted from second 11 to 20, at 5 img/s.
        for (var second = 11; second < 20; second++)
        {
            rate.Add(TimeSpan.FromSeconds(second), (second - 10) * 5);
        }

        Assert.Equal(5.0, rate.Add(TimeSpan.FromSeconds(20), 50), 2);
    }

    [Fact]
    public void Add_FirstSample_IsZero() =>
        Assert.Equal(0, new RecentRate(TimeSpan.FromSeconds(10)).Add(TimeSpan.Zero, 7));
}
