using Pipeline.Settings;
using Pipeline.Sources;

namespace Pipeline.Tests.Sources;

public sealed class WatchOptionsTests
{
    /// <summary>The stream settings are not in a catalog section yet, so the catalog's own range checks do not see them.</summary>
    [Fact]
    public void Default_IsTheCatalogsStreamDefaults_WithinTheirRanges()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), WatchOptions.Default.Settle);
        Assert.Equal(TimeSpan.FromSeconds(5), WatchOptions.Default.Rescan);
        Assert.True(SettingCatalog.Stream.SettleSeconds.Range.Contains(SettingCatalog.Stream.SettleSeconds.Default));
        Assert.True(SettingCatalog.Stream.RescanSeconds.Range.Contains(SettingCatalog.Stream.RescanSeconds.Default));
        Assert.Equal("settleSeconds", SettingCatalog.Stream.SettleSeconds.Key);
        Assert.Equal("rescanSeconds", SettingCatalog.Stream.RescanSeconds.Key);
    }
}
