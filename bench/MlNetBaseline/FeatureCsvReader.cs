using System.Globalization;

namespace MlNetBaseline;

/// <summary>
/// Reads the CSV that <c>featurize</c> writes: header <c>file,f0,…,f{D-1}</c>, then per image the
/// path relative to the image folder (quoted only when it holds a comma, quote or newline) and D
/// floats in invariant culture.
/// </summary>
internal static class FeatureCsvReader
{
    public sealed record FeatureCsv(int Dimension, IReadOnlyList<string> Files, float[] Features)
    {
        public int Rows => Files.Count;

        public ReadOnlySpan<float> Row(int i) => Features.AsSpan(i * Dimension, Dimension);
    }

    public static async Task<FeatureCsv> ReadAsync(string path, CancellationToken ct)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Feature CSV '{path}' does not exist.");
        }

        using var reader = new StreamReader(path);
        var header = await reader.ReadLineAsync(ct)
            ?? throw new InvalidDataException($"Feature CSV '{path}' is empty.");
        var columns = header.Split(',');
        if (columns[0] != "file" || columns.Length < 2)
        {
            throw new InvalidDataException($"Feature CSV '{path}' line 1: expected the header 'file,f0,…', got '{Shorten(header)}'.");
        }

        var dimension = columns.Length - 1;

        var files = new List<string>();
        var features = new List<float>();
        var lineNumber = 1;
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var (file, rest) = SplitFirstField(line, path, lineNumber);
            var values = rest.Split(',');
            if (values.Length != dimension)
            {
                throw new InvalidDataException($"Feature CSV '{path}' line {lineNumber}: {values.Length} features, the header has {dimension}.");
            }

            foreach (var text in values)
            {
                if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                {
                    throw new InvalidDataException($"Feature CSV '{path}' line {lineNumber}: '{Shorten(text)}' is not a number.");
                }

                features.Add(v);
            }
            files.Add(file);
        }
        if (files.Count == 0)
        {
            throw new InvalidDataException($"Feature CSV '{path}' has a header but no rows.");
        }

        return new FeatureCsv(dimension, files, features.ToArray());
    }

    /// <summary>The (possibly quoted) file field and the text after its comma.</summary>
    private static (string File, string Values) SplitFirstField(string line, string path, int lineNumber)
    {
        if (!line.StartsWith('"'))
        {
            var comma = line.IndexOf(',');
            if (comma < 0)
            {
                throw new InvalidDataException($"Feature CSV '{path}' line {lineNumber}: no features after the file name.");
            }

            return (line[..comma], line[(comma + 1)..]);
        }
        // A quoted field doubles its quotes; featurize never writes a newline inside one for the
        // paths it lists, so a field spanning lines is reported rather than joined.
        var field = new System.Text.StringBuilder();
        for (var i = 1; i < line.Length; i++)
        {
            if (line[i] != '"')
            {
                field.Append(line[i]);
                continue;
            }
            if (i + 1 < line.Length && line[i + 1] == '"')
            {
                field.Append('"');
                i++;
                continue;
            }
            if (i + 1 >= line.Length || line[i + 1] != ',')
            {
                throw new InvalidDataException($"Feature CSV '{path}' line {lineNumber}: expected a comma after the quoted file name.");
            }

            return (field.ToString(), line[(i + 2)..]);
        }
        throw new InvalidDataException($"Feature CSV '{path}' line {lineNumber}: the quoted file name is not closed.");
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
