using System.Globalization;
using Pipeline.Metrics;
using ScottPlot;

namespace Pipeline.Evaluation;

/// <summary>One-vs-rest ROC curves, one line per class with its AUC in the legend, and the chance diagonal.</summary>
internal static class RocCurvesPlot
{
    public static byte[] RenderPng(MulticlassEvaluation evaluation)
    {
        var title = evaluation.MacroRocAuc is { } macro
            ? string.Create(CultureInfo.InvariantCulture, $"ROC curves, one vs rest (macro AUC {macro:F3})")
            : "ROC curves, one vs rest";
        var plot = PlotTheme.CreatePlot(title, "False positive rate", "True positive rate");

        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LineColor = Colors.Gray;
        chance.LinePattern = LinePattern.Dashed;
        chance.LegendText = "chance (AUC 0.5)";

        var palette = new ScottPlot.Palettes.Category10();
        foreach (var curve in evaluation.RocCurves)
        {
            var line = plot.Add.ScatterLine(curve.FalsePositiveRates.ToArray(), curve.TruePositiveRates.ToArray());
            line.Color = palette.GetColor(curve.ClassIndex);
            line.LineWidth = 2;
            line.LegendText = string.Create(CultureInfo.InvariantCulture, $"{curve.ClassName} (AUC {curve.Auc:F3})");
        }

        plot.Legend.FontSize = PlotTheme.TickLabelSize;
        plot.ShowLegend(Alignment.LowerRight);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(0.1);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(0.1);
        plot.Axes.SetLimits(-0.01, 1.01, -0.01, 1.01);
        return plot.GetImageBytes(PlotTheme.Width, PlotTheme.Height, ImageFormat.Png);
    }
}
