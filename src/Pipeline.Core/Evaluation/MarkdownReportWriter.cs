using System.Globalization;
using System.Text;
using Pipeline.Metrics;

namespace Pipeline.Evaluation;

/// <summary>
/// Writes report.md: the headline metrics, the training context when known, sklearn's
/// classification report, the confusion matrix with class names, and the plots embedded by
/// relative path (they sit beside the report).
/// </summary>
internal static class MarkdownReportWriter
{
    public static string Render(MulticlassEvaluation evaluation, EvaluationContext? context, EvaluationReport files)
    {
        var md = new StringBuilder();
        md.AppendLine("# Evaluation report").AppendLine();
        md.AppendLine("| Metric | Value |").AppendLine("|---|---:|");
        Row(md, "Samples", Count(evaluation.SampleCount));
        Row(md, "Accuracy", Number(evaluation.Accuracy));
        Row(md, "Weighted precision", Number(evaluation.WeightedPrecision));
        Row(md, "Weighted recall", Number(evaluation.WeightedRecall));
        Row(md, "Weighted F1", Number(evaluation.WeightedF1));
        Row(md, "Macro ROC AUC (one vs rest)", Number(evaluation.MacroRocAuc));
        Row(md, "Log loss", Number(evaluation.LogLoss));
        md.AppendLine();

        if (context is not null)
        {
            AppendContext(md, context);
        }

        md.AppendLine("## Classification report").AppendLine();
        md.AppendLine("| Class | Precision | Recall | F1 | Support | ROC AUC |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var row in evaluation.PerClass)
        {
            Row(md, Escape(row.Name), Number(row.Precision), Number(row.Recall), Number(row.F1), Count(row.Support), Number(row.RocAuc));
        }

        Row(md, "**accuracy**", "", "", Number(evaluation.Accuracy), Count(evaluation.SampleCount), "");
        Average(md, "**macro avg**", evaluation.MacroAverage, evaluation.MacroRocAuc);
        Average(md, "**weighted avg**", evaluation.WeightedAverage, null);
        md.AppendLine();
        md.AppendLine("Precision, recall and F1 are 0 where their denominator is 0 (a class never predicted, or absent");
        md.AppendLine("from the true labels). The macro average runs over every class; the weighted average, Spark's");
        md.AppendLine("weighted metrics, weighs each class by its support. Macro ROC AUC averages the classes that have");
        md.AppendLine("both positives and negatives among the true labels.").AppendLine();

        AppendConfusionMatrix(md, evaluation.ConfusionMatrix);
        md.AppendLine($"![Confusion matrix]({Path.GetFileName(files.ConfusionMatrixPng)})").AppendLine();
        md.AppendLine("## ROC curves").AppendLine();
        md.AppendLine($"![ROC curves]({Path.GetFileName(files.RocCurvesPng)})").AppendLine();
        if (files.ObjectivePng is not null)
        {
            md.AppendLine("## Training objective").AppendLine();
            md.AppendLine($"![Training objective]({Path.GetFileName(files.ObjectivePng)})").AppendLine();
        }

        md.Append(context?.MarkdownAppendix);
        return md.ToString();
    }

    private static void AppendContext(StringBuilder md, EvaluationContext context)
    {
        md.AppendLine("## Training").AppendLine();
        md.AppendLine("| Field | Value |").AppendLine("|---|---|");
        if (context.ModelName is not null)
        {
            Row(md, "Model", Escape(context.ModelName));
        }

        if (context.Parameters is { Count: > 0 })
        {
            var parameters = context.Parameters
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => $"`{p.Key}` = {Escape(p.Value)}");
            Row(md, "Parameters", string.Join(", ", parameters));
        }

        if (context.Iterations is { } iterations)
        {
            Row(md, "Iterations", Count(iterations));
        }

        if (context.StopReason is not null)
        {
            Row(md, "Stop reason", Escape(context.StopReason));
        }

        if (context.TrainSamples is { } train)
        {
            Row(md, "Training samples", Count(train));
        }

        if (context.TestSamples is { } test)
        {
            Row(md, "Test samples", Count(test));
        }

        if (context.TrainingSeconds is { } seconds)
        {
            Row(md, "Training time", seconds.ToString("F2", CultureInfo.InvariantCulture) + " s");
        }

        md.AppendLine();
    }

    private static void AppendConfusionMatrix(StringBuilder md, ConfusionMatrix matrix)
    {
        var k = matrix.ClassCount;
        md.AppendLine("## Confusion matrix").AppendLine();
        md.AppendLine("Rows are true classes, columns predicted classes.").AppendLine();
        md.Append("| true \\ predicted |");
        foreach (var name in matrix.ClassNames)
        {
            md.Append(' ').Append(Escape(name)).Append(" |");
        }

        md.AppendLine(" total |");
        md.Append("|---|").Append(string.Concat(Enumerable.Repeat("---:|", k + 1))).AppendLine();
        for (var t = 0; t < k; t++)
        {
            md.Append("| **").Append(Escape(matrix.ClassNames[t])).Append("** |");
            for (var p = 0; p < k; p++)
            {
                md.Append(' ').Append(Count(matrix[t, p])).Append(" |");
            }

            md.Append(' ').Append(Count(matrix.RowTotal(t))).AppendLine(" |");
        }

        md.AppendLine();
    }

    private static void Average(StringBuilder md, string label, AveragedMetrics average, double? auc) =>
        Row(md, label, Number(average.Precision), Number(average.Recall), Number(average.F1), Count(average.Support), auc is null ? "" : Number(auc));

    private static void Row(StringBuilder md, params string[] cells) =>
        md.Append("| ").AppendJoin(" | ", cells).AppendLine(" |");

    /// <summary>Four decimals, as sklearn's classification_report prints with digits=4.</summary>
    internal static string Number(double? value) =>
        value is { } v ? v.ToString("F4", CultureInfo.InvariantCulture) : "n/a";

    private static string Count(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A class name or parameter may hold '|' or '*', which would break the table.</summary>
    private static string Escape(string text) =>
        text.Replace("\\", "\\\\").Replace("|", "\\|").Replace("*", "\\*").Replace("_", "\\_");
}
