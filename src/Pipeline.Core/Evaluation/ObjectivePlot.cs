using System.Globalization;
using ScottPlot;

namespace Pipeline.Evaluation;

/// <summary>
/// The training objective per optimiser iteration. A linear y axis: the objective of a
/// regularised logistic regression stays positive and drops by a small factor, so a log axis
/// would only compress the part worth seeing. Entry i is drawn at iteration i, so entry 0 is the
/// starting point, as in Spark's <c>LogisticRegressionTrainingSummary.objectiveHistory</c>.
/// </summary>
internal static class ObjectivePlot
{
    public static byte[] RenderPng(IReadOnlyList<double> objectiveHistory)
    {
        var title = string.Create(
            CultureInfo.InvariantCulture,
            $"Training objective (final {objectiveHistory[^1]:G6})");
        var plot = PlotTheme.CreatePlot(title, "Iteration", "Objective (loss + penalty)");
        var iterations = Enumerable.Range(0, objectiveHistory.Count).Select(i => (double)i).ToArray();
        var line = plot.Add.ScatterLine(iterations, objectiveHistory.ToArray());
        line.LineWidth = 2;
        line.MarkerSize = objectiveHistory.Count <= 50 ? 5 : 0;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (objectiveHistory.Count == 1)
        {
            // One point gives ScottPlot a zero-width range, which it pads symmetrically into
            // negative iterations.
            plot.Axes.SetLimitsX(-0.5, 1.5);
        }
        return plot.GetImageBytes(PlotTheme.Width, PlotTheme.ObjectiveHeight, ImageFormat.Png);
    }
}
