using System.Text;

namespace Pipeline.Tests.Featurization;

/// <summary>
/// What a terminal shows for some output, line by line: a carriage return moves back to the first
/// column, a newline ends the line, any other character overwrites the one under the cursor. Enough
/// to see whether text landed on a progress bar's line.
/// </summary>
internal static class TerminalScreen
{
    public static IReadOnlyList<string> Render(string output)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        var column = 0;
        foreach (var c in output)
        {
            switch (c)
            {
                case '\r':
                    column = 0;
                    break;
                case '\n':
                    lines.Add(line.ToString().TrimEnd());
                    line.Clear();
                    column = 0;
                    break;
                default:
                    if (column < line.Length)
                    {
                        line[column] = c;
                    }
                    else
                    {
                        line.Append(c);
                    }

                    column++;
                    break;
            }
        }

        if (line.Length > 0)
        {
            lines.Add(line.ToString().TrimEnd());
        }

        return lines;
    }
}
