using System.Globalization;
using Pipeline.Metrics;
using ScottPlot;

namespace Pipeline.Evaluation;

/// <summary>
/// The confusion matrix as an annotated heatmap: true classes down, predicted across, each cell
/// coloured by its share of the true class (so rare and common classes compare) and labelled with
/// its count and that share.
/// </summary>
internal static class ConfusionMatrixPlot
{
    internal const int MaxAnnotatedClasses = 20;

    public static byte[] RenderPng(MulticlassEvaluation evaluation)
    {
        var matrix = evaluation.ConfusionMatrix;
        var k = matrix.ClassCount;
        var fractions = new double[k, k];
        for (var t = 0; t < k; t++)
        {
            for (var p = 0; p < k; p++)
            {
                fractions[t, p] = matrix.RowFraction(t, p);
            }
        }

        var title = string.Create(
            CultureInfo.InvariantCulture,
            $"Confusion matrix (n = {evaluation.SampleCount}, accuracy {Percent(evaluation.Accuracy, 1)})");
        var plot = PlotTheme.CreatePlot(title, "Predicted class", "True class");

        // Row 0 of the intensities is drawn at the top; cells are centred on integer coordinates,
        // so true class t sits at y = k − 1 − t and predicted class p at x = p.
        var heatmap = plot.Add.Heatmap(fractions);
        // ScottPlot's Blues runs dark → light; reversed, an empty cell is white and the diagonal of
        // a good model stands out dark.
        heatmap.Colormap = new ScottPlot.Colormaps.Blues().Reversed();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        var colorBar = plot.Add.ColorBar(heatmap);
        colorBar.Label = "Share of true class";
        colorBar.LabelStyle.FontSize = PlotTheme.TickLabelSize;
        var colorTicks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var share in new[] { 0.0, 0.25, 0.5, 0.75, 1.0 })
        {
            colorTicks.AddMajor(share, Percent(share, 0));
        }

        colorBar.Axis.TickGenerator = colorTicks;
        colorBar.Axis.TickLabelStyle.FontSize = PlotTheme.TickLabelSize;

        // Past MaxAnnotatedClasses a cell is under ~25 px at this size and no font fits in it;
        // the colours still show the structure and metrics.json has the counts.
        var cellFontSize = Math.Clamp(160f / k, 9f, 16f);
        for (var t = 0; t < (k <= MaxAnnotatedClasses ? k : 0); t++)
        {
            for (var p = 0; p < k; p++)
            {
                // Empty cells stay blank so the eye finds the confusions, not a grid of zeros.
                if (matrix[t, p] == 0)
                {
                    continue;
                }

                var text = plot.Add.Text(
                    string.Create(CultureInfo.InvariantCulture, $"{matrix[t, p]}\n{Percent(fractions[t, p], 0)}"),
                    p,
                    k - 1 - t);
                text.LabelFontSize = cellFontSize;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = fractions[t, p] > 0.5 ? Colors.White : Colors.Black;
            }
        }

        var positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        var names = matrix.ClassNames.ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, names);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            positions, names.Reverse().ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = -35;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.UpperRight;
        plot.Axes.Bottom.MinimumSize = 90;
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.HideGrid();
        return plot.GetImageBytes(PlotTheme.Width, PlotTheme.Height, ImageFormat.Png);
    }

    private static string Percent(double fraction, int decimals) =>
        (fraction * 100).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) + "%";
}
