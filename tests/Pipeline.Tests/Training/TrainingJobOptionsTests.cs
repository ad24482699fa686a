using Pipeline.Training;

namespace Pipeline.Tests.Training;

public sealed class TrainingJobOptionsTests
{
    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    public void TestFraction_OutOfRange_ThrowsTheMessageItAlwaysGave(double fraction)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingJobOptions { FeaturesDirectory = "f", OutputDirectory = "o", TestFraction = fraction });

        Assert.StartsWith("testFraction must be in [0, 1).", error.Message, StringComparison.Ordinal);
        Assert.Equal("TestFraction", error.ParamName);
    }
}
