using Pipeline.IO;
using Pipeline.Metrics;

namespace Pipeline.Evaluation;

/// <summary>
/// Writes an evaluation into a report folder: metrics.json (machine-readable, stable keys),
/// report.md (for people, embedding the plots) and the PNG plots confusion_matrix.png,
/// roc_curves.png and, when an objective history is given, objective.png.
/// </summary>
internal static class EvaluationReportWriter
{
    public const string MetricsFileName = "metrics.json";
    public const string ReportFileName = "report.md";
    public const string ConfusionMatrixFileName = "confusion_matrix.png";
    public const string RocCurvesFileName = "roc_curves.png";
    public const string ObjectiveFileName = "objective.png";

    /// <summary>Writes the report, creating <paramref name="folder"/> if needed and replacing files of the same names, each atomically.</summary>
    /// <param name="folder">The report folder.</param>
    /// <param name="evaluation">What <see cref="MulticlassEvaluator.Evaluate"/> returned.</param>
    /// <param name="context">Training details for the report; null leaves the section out.</param>
    /// <param name="objectiveHistory">The objective per optimiser iteration; null (or empty) writes no objective.png.</param>
    /// <param name="cancellationToken">Checked between files.</param>
    /// <exception cref="ArgumentException">An objective value is not finite.</exception>
    public static async Task<EvaluationReport> WriteAsync(
        string folder,
        MulticlassEvaluation evaluation,
        EvaluationContext? context = null,
        IReadOnlyList<double>? objectiveHistory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        ArgumentNullException.ThrowIfNull(evaluation);
        if (objectiveHistory is { Count: 0 })
        {
            objectiveHistory = null;
        }

        if (objectiveHistory is not null)
        {
            for (var i = 0; i < objectiveHistory.Count; i++)
            {
                if (!double.IsFinite(objectiveHistory[i]))
                {
                    throw new ArgumentException(
                        $"objectiveHistory[{i}] = {objectiveHistory[i]}; objective values must be finite.",
                        nameof(objectiveHistory));
                }
            }
        }

        Directory.CreateDirectory(folder);
        var report = new EvaluationReport(
            Folder: Path.GetFullPath(folder),
            MetricsJson: Path.GetFullPath(Path.Combine(folder, MetricsFileName)),
            ReportMarkdown: Path.GetFullPath(Path.Combine(folder, ReportFileName)),
            ConfusionMatrixPng: Path.GetFullPath(Path.Combine(folder, ConfusionMatrixFileName)),
            RocCurvesPng: Path.GetFullPath(Path.Combine(folder, RocCurvesFileName)),
            ObjectivePng: objectiveHistory is null ? null : Path.GetFullPath(Path.Combine(folder, ObjectiveFileName)));

        // Each file goes through a hidden temp file renamed into place, so a reader, a crash or a
        // failed write (a disk full, a bad class name halfway through the JSON) sees a whole old or
        // a whole new file, never a torn one.
        await AtomicFile.WriteAsync(
            report.MetricsJson,
            (stream, ct) => MetricsJsonWriter.WriteAsync(stream, evaluation, context, objectiveHistory, ct),
            cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllTextAsync(
            report.ReportMarkdown, MarkdownReportWriter.Render(evaluation, context, report), cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllBytesAsync(
            report.ConfusionMatrixPng, ConfusionMatrixPlot.RenderPng(evaluation), cancellationToken).ConfigureAwait(false);
        await AtomicFile.WriteAllBytesAsync(
            report.RocCurvesPng, RocCurvesPlot.RenderPng(evaluation), cancellationToken).ConfigureAwait(false);
        if (objectiveHistory is not null)
        {
            await AtomicFile.WriteAllBytesAsync(
                report.ObjectivePng!, ObjectivePlot.RenderPng(objectiveHistory), cancellationToken).ConfigureAwait(false);
        }

        return report;
    }

    /// <summary>Removes the report files from <paramref name="folder"/>, when there; other files and the folder stay.</summary>
    public static void Delete(string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
        {
            return;
        }

        foreach (var name in (string[])[MetricsFileName, ReportFileName, ConfusionMatrixFileName, RocCurvesFileName, ObjectiveFileName])
        {
            File.Delete(Path.Combine(folder, name));
        }
    }
}
