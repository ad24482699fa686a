using System.Globalization;
using System.Text;

namespace Pipeline.Training;

/// <summary>A grid search's points as a Markdown table, for the console summary and the report.</summary>
internal static class GridSearchTable
{
    /// <summary>One row per grid point in grid order: regParam, elasticNetParam, standardization, mean ± std of the metric, the chosen point marked.</summary>
    public static string Render(GridSearchResult result, SelectionMetricKind metric, int folds)
    {
        ArgumentNullException.ThrowIfNull(result);
        var culture = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(culture, $"| regParam | elasticNetParam | standardization | {metric.SparkName()} mean ({folds} folds) | std | chosen |\n");
        text.Append("|---:|---:|:---:|---:|---:|:---:|\n");
        foreach (var point in result.Points)
        {
            var chosen = ReferenceEquals(point, result.Best) ? "*" : string.Empty;
            var standardization = point.Standardization ? "true" : "false";
            text.Append(culture, $"| {point.RegParam:G6} | {point.ElasticNetParam:G6} | {standardization} | {point.Mean:F4} | {point.StandardDeviation:F4} | {chosen} |\n");
        }

        return text.ToString();
    }
}
