using System.Text;
using System.Text.Json;
using Pipeline.Evaluation;
using Pipeline.Metrics;
using Pipeline.Tests.Metrics;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Pipeline.Tests.Evaluation;

public sealed class EvaluationReportWriterTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pipeline-evaluation-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task WriteAsync_WithContextAndHistory_MetricsJsonRoundTripsTheEvaluation()
    {
        var evaluation = Evaluate("dirichlet_200x5");
        var context = Context();
        double[] history = [1.6, 1.1, 0.9, 0.85];

        var report = await EvaluationReportWriter.WriteAsync(_folder, evaluation, context, history);

        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report.MetricsJson));
        var root = json.RootElement;
        Assert.Equal(evaluation.ClassNames, root.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(200, root.GetProperty("sampleCount").GetInt32());
        // Utf8JsonWriter writes doubles in shortest round-trip form, so they come back bit-exact.
        Assert.Equal(evaluation.Accuracy, root.GetProperty("accuracy").GetDouble());
        Assert.Equal(evaluation.WeightedPrecision, root.GetProperty("weightedPrecision").GetDouble());
        Assert.Equal(evaluation.WeightedRecall, root.GetProperty("weightedRecall").GetDouble());
        Assert.Equal(evaluation.WeightedF1, root.GetProperty("weightedF1").GetDouble());
        Assert.Equal(evaluation.MacroRocAuc!.Value, root.GetProperty("macroRocAuc").GetDouble());
        Assert.Equal(evaluation.LogLoss, root.GetProperty("logLoss").GetDouble());
        Assert.Equal(evaluation.MacroAverage.F1, root.GetProperty("macroAverage").GetProperty("f1").GetDouble());
        Assert.Equal(evaluation.WeightedAverage.Support, root.GetProperty("weightedAverage").GetProperty("support").GetInt32());

        var perClass = root.GetProperty("perClass");
        Assert.Equal(evaluation.ClassNames, perClass.EnumerateObject().Select(p => p.Name));
        var cat = perClass.GetProperty("cat");
        Assert.Equal(evaluation.PerClass[2].Precision, cat.GetProperty("precision").GetDouble());
        Assert.Equal(evaluation.PerClass[2].Recall, cat.GetProperty("recall").GetDouble());
        Assert.Equal(evaluation.PerClass[2].F1, cat.GetProperty("f1").GetDouble());
        Assert.Equal(evaluation.PerClass[2].Support, cat.GetProperty("support").GetInt32());
        Assert.Equal(evaluation.PerClass[2].RocAuc!.Value, cat.GetProperty("rocAuc").GetDouble());

        var matrix = root.GetProperty("confusionMatrix");
        for (var t = 0; t < 5; t++)
        {
            for (var p = 0; p < 5; p++)
            {
                Assert.Equal(evaluation.ConfusionMatrix[t, p], matrix.GetProperty("counts")[t][p].GetInt32());
                Assert.Equal(evaluation.ConfusionMatrix.RowFraction(t, p), matrix.GetProperty("rowNormalized")[t][p].GetDouble());
            }
        }

        var ship = root.GetProperty("rocCurves").GetProperty("ship");
        var shipCurve = evaluation.RocCurves.Single(c => c.ClassName == "ship");
        Assert.Equal(shipCurve.Auc, ship.GetProperty("auc").GetDouble());
        Assert.Equal(shipCurve.FalsePositiveRates, ship.GetProperty("falsePositiveRate").EnumerateArray().Select(e => e.GetDouble()));
        Assert.Equal(shipCurve.TruePositiveRates, ship.GetProperty("truePositiveRate").EnumerateArray().Select(e => e.GetDouble()));

        var training = root.GetProperty("training");
        Assert.Equal("ResNet18 + logistic regression", training.GetProperty("modelName").GetString());
        Assert.Equal("0.01", training.GetProperty("parameters").GetProperty("regParam").GetString());
        Assert.Equal(3, training.GetProperty("iterations").GetInt32());
        Assert.Equal("converged", training.GetProperty("stopReason").GetString());
        Assert.Equal(800, training.GetProperty("trainSamples").GetInt32());
        Assert.Equal(200, training.GetProperty("testSamples").GetInt32());
        Assert.Equal(JsonValueKind.Null, training.GetProperty("trainingSeconds").ValueKind);
        Assert.Equal(history, root.GetProperty("objectiveHistory").EnumerateArray().Select(e => e.GetDouble()));
    }

    [Fact]
    public async Task WriteAsync_WithContextAndHistory_ReportMarkdownHasHeadlineClassesAndPlots()
    {
        var evaluation = Evaluate("dirichlet_200x5");

        var report = await EvaluationReportWriter.WriteAsync(_folder, evaluation, Context(), [2.0, 1.0]);

        var markdown = await File.ReadAllTextAsync(report.ReportMarkdown);
        Assert.Contains($"| Accuracy | {evaluation.Accuracy:F4} |", markdown);
        Assert.Contains($"| Weighted precision | {evaluation.WeightedPrecision:F4} |", markdown);
        Assert.Contains($"| Weighted recall | {evaluation.WeightedRecall:F4} |", markdown);
        Assert.Contains($"| Weighted F1 | {evaluation.WeightedF1:F4} |", markdown);
        Assert.Contains($"| Macro ROC AUC (one vs rest) | {evaluation.MacroRocAuc!.Value:F4} |", markdown);
        Assert.Contains($"| Log loss | {evaluation.LogLoss:F4} |", markdown);
        var deer = evaluation.PerClass[3];
        Assert.Contains($"| deer | {deer.Precision:F4} | {deer.Recall:F4} | {deer.F1:F4} | {deer.Support} | {deer.RocAuc!.Value:F4} |", markdown);
        Assert.Contains("| true \\ predicted | airplane | bird | cat | deer | ship | total |", markdown);
        Assert.Contains("| Stop reason | converged |", markdown);
        Assert.Contains("![Confusion matrix](confusion_matrix.png)", markdown);
        Assert.Contains("![ROC curves](roc_curves.png)", markdown);
        Assert.Contains("![Training objective](objective.png)", markdown);
    }

    [Fact]
    public async Task WriteAsync_WithHistory_WritesThreePngsOfTheThemeSize()
    {
        var evaluation = Evaluate("dirichlet_200x5");

        var report = await EvaluationReportWriter.WriteAsync(_folder, evaluation, objectiveHistory: [2.0, 1.2, 1.0]);

        // Shares of saturated pixels: a blank ScottPlot canvas has none (axes, text and grid are
        // grey); the heatmap fills most of its plot, curves and the objective line only a little.
        AssertPng(report.ConfusionMatrixPng, PlotTheme.Width, PlotTheme.Height, minColouredShare: 0.05);
        AssertPng(report.RocCurvesPng, PlotTheme.Width, PlotTheme.Height, minColouredShare: 0.01);
        AssertPng(report.ObjectivePng!, PlotTheme.Width, PlotTheme.ObjectiveHeight, minColouredShare: 0.001);
        Assert.Equal(Path.Combine(report.Folder, "objective.png"), report.ObjectivePng);
    }

    [Fact]
    public async Task WriteAsync_NoContextNoHistory_LeavesThoseSectionsAndObjectivePngOut()
    {
        // The class absent from the truth has no ROC curve: its AUC is null in JSON and "n/a" in Markdown.
        var evaluation = Evaluate("class_absent_from_truth");

        var report = await EvaluationReportWriter.WriteAsync(_folder, evaluation);

        Assert.Null(report.ObjectivePng);
        Assert.False(File.Exists(Path.Combine(_folder, EvaluationReportWriter.ObjectiveFileName)));
        AssertPng(report.RocCurvesPng, PlotTheme.Width, PlotTheme.Height, minColouredShare: 0.01);
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(report.MetricsJson));
        Assert.False(json.RootElement.TryGetProperty("training", out _));
        Assert.False(json.RootElement.TryGetProperty("objectiveHistory", out _));
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("perClass").GetProperty("west").GetProperty("rocAuc").ValueKind);
        Assert.False(json.RootElement.GetProperty("rocCurves").TryGetProperty("west", out _));
        var markdown = await File.ReadAllTextAsync(report.ReportMarkdown);
        Assert.DoesNotContain("## Training", markdown);
        Assert.DoesNotContain("objective.png", markdown);
        Assert.Contains("| west | ", markdown);
        Assert.Contains("| n/a |", markdown);
    }

    [Fact]
    public async Task WriteAsync_NonFiniteObjective_ThrowsNamingTheIndex()
    {
        var evaluation = Evaluate("tied_scores");

        var error = await Assert.ThrowsAsync<ArgumentException>(
            () => EvaluationReportWriter.WriteAsync(_folder, evaluation, objectiveHistory: [1.0, double.NaN]));

        Assert.Equal("objectiveHistory", error.ParamName);
        Assert.Contains("objectiveHistory[1]", error.Message);
    }

    [Fact]
    public async Task WriteAsync_OverAnOlderLongerReport_ReplacesEachFileWholeAndLeavesNoTempFile()
    {
        Directory.CreateDirectory(_folder);
        var stale = new string('x', 1 << 20);
        foreach (var name in new[] { EvaluationReportWriter.MetricsFileName, EvaluationReportWriter.ReportFileName, EvaluationReportWriter.RocCurvesFileName })
        {
            await File.WriteAllTextAsync(Path.Combine(_folder, name), stale);
        }

        var report = await EvaluationReportWriter.WriteAsync(_folder, Evaluate("tied_scores"), Context() with { MarkdownAppendix = "\n## Grid search\n\ntable\n" });

        using (JsonDocument.Parse(await File.ReadAllTextAsync(report.MetricsJson)))
        {
        }

        var markdown = await File.ReadAllTextAsync(report.ReportMarkdown);
        Assert.StartsWith("# Evaluation report", markdown, StringComparison.Ordinal);
        Assert.EndsWith("\n## Grid search\n\ntable\n", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("xxxx", markdown, StringComparison.Ordinal);
        AssertPng(report.RocCurvesPng, PlotTheme.Width, PlotTheme.Height, minColouredShare: 0.01);
        Assert.Equal(
            ["confusion_matrix.png", "metrics.json", "report.md", "roc_curves.png"],
            Directory.GetFiles(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task WriteAsync_FailureHalfwayThroughReportMarkdown_LeavesTheOldFileWholeAndNoTempFile()
    {
        var old = await EvaluationReportWriter.WriteAsync(_folder, Evaluate("tied_scores"));
        var before = await File.ReadAllBytesAsync(old.ReportMarkdown);
        var oracle = SklearnOracleCase.Load("tied_scores");

        // A lone surrogate has no UTF-8 form: metrics.json escapes it, but the UTF-8 encoder of
        // report.md throws once the new file is open and partly written, the injected failure of a
        // write that stops halfway.
        var names = oracle.ClassNames.Select((name, i) => i == 1 ? "\uD800" : name).ToArray();
        var broken = MulticlassEvaluator.Evaluate(oracle.YTrue, oracle.Probabilities, names);
        await Assert.ThrowsAsync<EncoderFallbackException>(() => EvaluationReportWriter.WriteAsync(_folder, broken));

        Assert.Equal(before, await File.ReadAllBytesAsync(old.ReportMarkdown));
        Assert.Equal(
            ["confusion_matrix.png", "metrics.json", "report.md", "roc_curves.png"],
            Directory.GetFiles(_folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    private static MulticlassEvaluation Evaluate(string fixture)
    {
        var oracle = SklearnOracleCase.Load(fixture);
        return MulticlassEvaluator.Evaluate(oracle.YTrue, oracle.Probabilities, oracle.ClassNames);
    }

    private static EvaluationContext Context() => new()
    {
        ModelName = "ResNet18 + logistic regression",
        Parameters = new Dictionary<string, string> { ["regParam"] = "0.01", ["elasticNetParam"] = "0.5" },
        Iterations = 3,
        StopReason = "converged",
        TrainSamples = 800,
        TestSamples = 200,
    };

    private static void AssertPng(string path, int width, int height, double minColouredShare)
    {
        var info = Image.Identify(path);
        Assert.NotNull(info);
        Assert.Equal(width, info.Width);
        Assert.Equal(height, info.Height);

        using var image = Image.Load<Rgb24>(path);
        var coloured = 0;
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                foreach (var pixel in rows.GetRowSpan(y))
                {
                    var max = Math.Max(pixel.R, Math.Max(pixel.G, pixel.B));
                    var min = Math.Min(pixel.R, Math.Min(pixel.G, pixel.B));
                    coloured += max - min > 60 ? 1 : 0;
                }
            }
        });
        var share = (double)coloured / (width * height);
        Assert.True(share >= minColouredShare, $"{Path.GetFileName(path)}: only {share:P2} of pixels are coloured.");
    }
}
