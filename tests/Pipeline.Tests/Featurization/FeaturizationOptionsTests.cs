using Pipeline.Featurization;

namespace Pipeline.Tests.Featurization;

public sealed class FeaturizationOptionsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(257)]
    public void Parallelism_OutOfRange_ThrowsTheMessageItAlwaysGave(int parallelism)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new FeaturizationOptions { Parallelism = parallelism });

        Assert.StartsWith("parallelism must be between 1 and 256.", error.Message, StringComparison.Ordinal);
        Assert.Equal("Parallelism", error.ParamName);
    }
}
