using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Decoding;
using Pipeline.Featurization;
using Pipeline.Sources;

namespace Pipeline.Tests.Featurization;

/// <summary>Options the job refuses: refused before the store is touched, so a typo leaves no empty store folder.</summary>
public sealed class FeaturizationJobOptionsTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task RunAsync_NonPositiveMaxPixels_ThrowsNamingTheLimitAndCreatesNoStoreFolder()
    {
        GeneratedImages.WriteFolder(_dir.Combine("images"), 2, "a");
        var source = await ImageSourceFactory.OpenAsync(_dir.Combine("images"));
        var store = _dir.Combine("store");
        var options = TestFeaturization.Options with { Limits = new DecodeLimits { MaxPixels = 0 } };

        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => FeaturizationJob.RunAsync(
            source, TestFeaturization.ResNet18, store, options, new FeaturizationCounters(), NullLogger.Instance, CancellationToken.None));

        Assert.StartsWith("MaxPixels must be positive.", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(store));
    }
}
