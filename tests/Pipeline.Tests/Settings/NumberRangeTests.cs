using Pipeline.Settings;

namespace Pipeline.Tests.Settings;

public sealed class NumberRangeTests
{
    [Theory]
    [InlineData(1, 4096, false, false, "from 1 to 4096")]
    [InlineData(0, 1, false, true, "at least 0 and less than 1")]
    [InlineData(0, 86_400, true, false, "greater than 0 and at most 86400")]
    [InlineData(0, double.MaxValue, false, false, "0 or more")]
    [InlineData(0, double.MaxValue, true, false, "greater than 0")]
    [InlineData(1, long.MaxValue, false, false, "1 or more")]
    public void ToString_Bounds_ReadsAsTheMessagesSayIt(double min, double max, bool minExclusive, bool maxExclusive, string expected) =>
        Assert.Equal(expected, new NumberRange(min, max, minExclusive, maxExclusive).ToString());

    [Theory]
    [InlineData(0, false)]
    [InlineData(0.5, true)]
    [InlineData(1, false)]
    public void Contains_ExclusiveBounds_ExcludesThem(double value, bool expected) =>
        Assert.Equal(expected, new NumberRange(0, 1, MinExclusive: true, MaxExclusive: true).Contains(value));
}
