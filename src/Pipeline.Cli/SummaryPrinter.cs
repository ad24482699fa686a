using System.Globalization;
using Pipeline.Featurization;

namespace Pipeline.Cli;

/// <summary>The closing summary of a featurization run, on standard output.</summary>
internal static class SummaryPrinter
{
    public static void Print(FeaturizationSummary summary)
    {
        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture, $"read: {summary.Read}  featurized: {summary.Featurized}  rejected: {summary.Rejected}  cached: {summary.Cached}"));
        Console.WriteLine(string.Create(culture, $"seconds: {summary.Elapsed.TotalSeconds:F1}  img/s: {summary.ImagesPerSecond:F1}  device: {summary.ExecutionProvider}"));
        Console.WriteLine($"store: {Path.GetFullPath(summary.StoreDirectory)}");
    }
}
