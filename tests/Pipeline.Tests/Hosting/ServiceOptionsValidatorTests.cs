using Pipeline.Decoding;
using Pipeline.Hosting;

namespace Pipeline.Tests.Hosting;

public sealed class ServiceOptionsValidatorTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(2 * 86400)]
    public void Validate_MaxDecodeTimeOutOfRange_NamesTheKeyAndTheRange(double seconds)
    {
        var options = new ServiceOptions { Limits = new DecodeLimits { MaxDecodeTime = TimeSpan.FromSeconds(seconds) } };

        var result = new ServiceOptionsValidator().Validate(null, options);

        Assert.Equal(
            [$"Pipeline:Limits:MaxDecodeTime must be more than 0 and at most 1.00:00:00, got {TimeSpan.FromSeconds(seconds)}"],
            result.Failures);
    }

    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new ServiceOptionsValidator().Validate(null, new ServiceOptions()).Succeeded);
    }
}
