using System.Globalization;
using Pipeline.Classifier;
using Pipeline.Evaluation;
using Pipeline.Export;
using Pipeline.Featurization;
using Pipeline.Metrics;
using Pipeline.Prediction;
using Pipeline.Training;

namespace Pipeline.Cli;

/// <summary>The closing summary of a run, on standard output.</summary>
internal static class SummaryPrinter
{
    public static void Print(FeaturizationSummary summary)
    {
        var culture = CultureInfo.InvariantCulture;
        var duplicates = summary.Duplicates > 0 ? string.Create(culture, $"  duplicates skipped: {summary.Duplicates}") : string.Empty;
        Console.WriteLine(string.Create(culture, $"read: {summary.Read}  featurized: {summary.Featurized}  rejected: {summary.Rejected}  cached: {summary.Cached}{duplicates}"));
        Console.WriteLine(string.Create(culture, $"seconds: {summary.Elapsed.TotalSeconds:F1}  img/s: {summary.ImagesPerSecond:F1}  device: {summary.ExecutionProvider}"));
        Console.WriteLine($"store: {Path.GetFullPath(summary.StoreDirectory)}");
    }

    /// <summary>The counts of a featurize run stopped by a signal: what it read, and the rows it kept.</summary>
    public static void PrintStopped(FeaturizationCounters counters)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stopped after read: {counters.Read}  featurized: {counters.Featurized}  rejected: {counters.Rejected}  cached: {counters.Cached}"));
    }

    public static void Print(TrainingJobResult result, OnnxExportResult export, EvaluationJobResult? evaluation, SelectionMetricKind metric)
    {
        var culture = CultureInfo.InvariantCulture;
        if (result.GridSearch is { } grid)
        {
            Console.WriteLine($"grid search ({grid.Points.Count} points, {metric.SparkName()} by cross-validation; * chosen):");
            Console.Write(GridSearchTable.Render(grid, metric, grid.Points[0].FoldMetrics.Length));
        }

        var summary = result.Summary;
        var parameters = summary.Options;
        Console.WriteLine(string.Create(culture, $"train: {result.TrainSamples}  test: {result.TestSamples}  regParam: {parameters.RegParam}  elasticNetParam: {parameters.ElasticNetParam}  maxIter: {parameters.MaxIter}"));
        Console.WriteLine(string.Create(culture, $"iterations: {summary.Iterations}  stop: {summary.StopReason}  objective: {summary.ObjectiveHistory[^1]:R}  seconds: {result.TrainingSeconds:F2}"));
        if (evaluation is not null)
        {
            PrintMetrics(evaluation.Evaluation);
        }
        else
        {
            Console.WriteLine(string.Create(culture, $"evaluation: none; all {result.TrainSamples} rows were trained on (--test-fraction 0), give --test-features to evaluate"));
        }

        Console.WriteLine($"model: {result.ModelDirectory}");
        Console.WriteLine($"onnx: {export.OnnxPath ?? "not exported (see warning)"}");
        if (evaluation is not null)
        {
            Console.WriteLine($"report: {evaluation.Report.ReportMarkdown}");
        }
    }

    public static void Print(EvaluationJobResult result)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"samples: {result.Samples}  seconds: {result.Elapsed.TotalSeconds:F1}"));
        PrintMetrics(result.Evaluation);
        Console.WriteLine($"report: {result.Report.ReportMarkdown}");
    }

    public static void Print(PredictionJobResult result)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"predicted: {result.Predicted}  rejected: {result.Rejected}  seconds: {result.Elapsed.TotalSeconds:F1}  device: {result.ExecutionProvider}"));
        Console.WriteLine($"predictions: {result.OutputPath}");
    }

    private static void PrintMetrics(MulticlassEvaluation evaluation)
    {
        var culture = CultureInfo.InvariantCulture;
        var auc = evaluation.MacroRocAuc is { } value ? value.ToString("F4", culture) : "n/a";
        Console.WriteLine(string.Create(
            culture,
            $"accuracy: {evaluation.Accuracy:F4}  weightedPrecision: {evaluation.WeightedPrecision:F4}  weightedRecall: {evaluation.WeightedRecall:F4}  f1: {evaluation.WeightedF1:F4}  macroRocAuc: {auc}  logLoss: {evaluation.LogLoss:F4}"));
    }
}
