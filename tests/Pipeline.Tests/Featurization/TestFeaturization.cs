using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Featurization;
using Pipeline.FeatureStore;
using Pipeline.Inference;
using Pipeline.Models;
using Pipeline.Sources;
using Pipeline.Tests.Models;

namespace Pipeline.Tests.Featurization;

/// <summary>
/// The settings every end-to-end test runs the job with: the bundled ResNet18 on the CPU, batches
/// of 4 and parts of 8 rows, so even a dozen images make several batches and parts. Parts roll by
/// rows only: a slow machine must not see a timer close one early.
/// </summary>
internal static class TestFeaturization
{
    public const int BatchSize = 4;
    public const int RowsPerPart = 8;

    private static readonly Lazy<ResolvedModel> Model = new(ShippedZoo.ResNet18);

    public static ResolvedModel ResNet18 => Model.Value;

    public static FeaturizationOptions Options { get; } = new()
    {
        // Two runs at once whatever the test machine's cores: the CPU's default, and the harder case for the graph.
        Inference = new InferenceOptions { Device = InferenceDevice.Cpu, BatchSize = BatchSize, ConcurrentRuns = 2 },
        Parallelism = 2,
        Store = new FeatureStoreOptions { RowsPerPart = RowsPerPart, PartInterval = TimeSpan.FromHours(1) },
    };

    public static Task<FeaturizationSummary> RunAsync(
        ILabelledImageSource source,
        string output,
        FeaturizationCounters? counters = null,
        CancellationToken cancellationToken = default) =>
        FeaturizationJob.RunAsync(source, ResNet18, output, Options, counters ?? new FeaturizationCounters(), NullLogger.Instance, cancellationToken);
}
