using System.Runtime.CompilerServices;
using Pipeline.Featurization;
using Pipeline.Sources;

namespace Pipeline.Tests.Featurization;

/// <summary>The background pass that counts a source of unknown size only feeds the progress total.</summary>
public sealed class FeaturizationJobCountingTests
{
    [Fact]
    public async Task RunAsync_CountingPassFails_FeaturizesEverythingWithoutATotal()
    {
        using var input = new TempFolder();
        using var output = new TempFolder();
        GeneratedImages.WriteFolder(input.Path, 3, "a", "b");
        using var run = new CancellationTokenSource();
        var source = new FailsUnlessRunToken(await ImageSourceFactory.OpenAsync(input.Path), run.Token);
        var counters = new FeaturizationCounters();

        var summary = await TestFeaturization.RunAsync(source, output.Path, counters, run.Token);

        Assert.Equal((3, 3, 0), (summary.Read, summary.Featurized, summary.Rejected));
        Assert.Null(counters.Total);
    }

    /// <summary>A source of unknown size whose every read except the run's own fails.</summary>
    private sealed class FailsUnlessRunToken(ILabelledImageSource inner, CancellationToken runToken) : ILabelledImageSource
    {
        public string Description => inner.Description;

        public ClassList Classes => inner.Classes;

        public async IAsyncEnumerable<LabelledImage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            if (cancellationToken != runToken)
            {
                throw new SourceException($"{Description} cannot be listed a second time.");
            }

            await foreach (var image in inner.ReadAsync(cancellationToken))
            {
                yield return image;
            }
        }
    }
}
