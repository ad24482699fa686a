using Pipeline.Featurization;

namespace Pipeline.Tests;

/// <summary>
/// Pins the public surface of Pipeline.Core to <c>PublicSurface.txt</c>, so that a type becomes public
/// (or stops being public) only by a change to that list, made on purpose and seen in review.
/// </summary>
public sealed class PublicSurfaceTests
{
    [Fact]
    public void ExportedTypes_OfPipelineCore_AreThePublicSurfaceList()
    {
        var listed = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "PublicSurface.txt"))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Order(StringComparer.Ordinal)
            .ToArray();
        var exported = typeof(FeaturizationJob).Assembly.GetExportedTypes()
            .Select(type => type.FullName!)
            .Order(StringComparer.Ordinal)
            .ToArray();

        Assert.Equal(listed, exported);
    }
}
