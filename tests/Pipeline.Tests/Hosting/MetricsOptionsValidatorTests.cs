using Pipeline.Hosting;

namespace Pipeline.Tests.Hosting;

public sealed class MetricsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new MetricsOptionsValidator().Validate(null, new MetricsOptions()).Succeeded);

    [Theory]
    [InlineData("collector:4317")]
    [InlineData("ftp://collector:4317")]
    [InlineData("not a uri")]
    public void CommandLine_OtlpEndpointNotAnHttpUri_IsAUsageErrorNamingTheArgument(string endpoint) =>
        Assert.Equal(
            [$"--Pipeline:Metrics:OtlpEndpoint must be an absolute http or https URI, got '{endpoint}'"],
            CommandLineSettings.Errors([$"--Pipeline:Metrics:OtlpEndpoint={endpoint}"]));

    [Fact]
    public void CommandLine_UnknownOtlpProtocol_NamesTheOnesAllowed() =>
        Assert.Equal(
            ["--Pipeline:Metrics:OtlpProtocol must be one of grpc, http/protobuf, got 'http/json'"],
            CommandLineSettings.Errors(["--Pipeline:Metrics:OtlpProtocol=http/json"]));
}
