using System.Globalization;
using System.Text;
using Pipeline.PipelineFiles;

namespace Pipeline.Runs;

/// <summary>The few lines printed when a run ends: state, seconds, counts, stage timings, headline metrics, report.</summary>
internal static class RunSummary
{
    /// <summary>Describes <paramref name="record"/> for a console.</summary>
    public static string Describe(RunRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.Append(c, $"{record.Name}: {YamlSection.CamelCase(record.State.ToString())}");
        if (record.Seconds is { } seconds)
        {
            text.Append(c, $" in {seconds:0.0} s");
        }

        text.Append(c, $" (model {record.Model}, attempt {record.Attempt})").AppendLine();
        var n = record.Counts;
        text.Append(c, $"  images: {n.Read} read, {n.Featurized} featurized, {n.Cached} cached, {n.Rejected} rejected").AppendLine();
        if (record.Stages.Count > 0)
        {
            var stages = record.Stages.Select(s => string.Create(c, $"{YamlSection.CamelCase(s.Stage.ToString())} {s.Seconds ?? 0:0.0} s"));
            text.Append("  stages: ").AppendJoin(", ", stages).AppendLine();
        }

        if (record.Metrics.Count > 0)
        {
            text.Append("  metrics: ").Append(Metrics(record.Metrics)).AppendLine();
        }

        if (record.ReportPath is not null)
        {
            text.Append(c, $"  report: {record.ReportPath}").AppendLine();
        }
        else if (record.State == RunState.Completed)
        {
            // Said outright, so that a missing report is not taken for a failure: split.testFraction 0
            // trains on every row, and evaluate.enabled false skips the report.
            text.Append("  evaluation: none (no test rows or evaluate.enabled false), so no report").AppendLine();
        }

        if (record.Stream && record.State == RunState.Interrupted)
        {
            text.Append("  stream: stopped with every micro-batch committed; run the file again to continue it").AppendLine();
        }

        if (record.Error is not null)
        {
            text.Append(c, $"  error: {record.Error}").AppendLine();
        }

        text.Append(c, $"  run folder: {record.RunFolder}");
        return text.ToString();
    }

    /// <summary>Headline metrics as one line: <c>accuracy 0.9500, logLoss 0.1234</c>.</summary>
    public static string Metrics(IReadOnlyDictionary<string, double> metrics) =>
        string.Join(", ", metrics.Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:0.0000}")));
}
