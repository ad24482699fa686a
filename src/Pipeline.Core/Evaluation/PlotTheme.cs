using ScottPlot;

namespace Pipeline.Evaluation;

/// <summary>
/// Sizes and fonts shared by the report's plots, so that the three PNGs read as one set.
/// </summary>
internal static class PlotTheme
{
    public const int Width = 800;
    public const int Height = 700;
    public const int ObjectiveHeight = 500;
    public const float TitleSize = 20;
    public const float AxisLabelSize = 16;
    public const float TickLabelSize = 13;

    // ScottPlot falls back to whatever family its font detection finds first, which is a serif
    // face on Debian; ask for a common sans face when one is installed and keep the default
    // otherwise (rendering still works, only the look differs).
    private static readonly string? SansFont =
        new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica" }
            .FirstOrDefault(name => Fonts.GetTypeface(name, bold: false, italic: false)?.FamilyName == name);

    public static Plot CreatePlot(string title, string xLabel, string yLabel)
    {
        var plot = new Plot();
        if (SansFont is not null)
        {
            plot.Font.Set(SansFont);
        }

        plot.Title(title, TitleSize);
        plot.XLabel(xLabel, AxisLabelSize);
        plot.YLabel(yLabel, AxisLabelSize);
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickLabelSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickLabelSize;
        return plot;
    }
}
