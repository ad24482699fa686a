using System.Globalization;

namespace MlNetBaseline;

/// <summary>
/// The <c>--key value</c> pairs after a sub-command. Every getter names the key and the allowed
/// range in its error, and <see cref="ThrowIfUnused"/> rejects typos instead of ignoring them.
/// </summary>
internal sealed class CommandLineArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public CommandLineArguments(IEnumerable<string> arguments)
    {
        using var e = arguments.GetEnumerator();
        while (e.MoveNext())
        {
            var key = e.Current;
            if (!key.StartsWith("--", StringComparison.Ordinal) || key.Length == 2)
            {
                throw new ArgumentException($"Expected an option like --key, got '{key}'.");
            }

            if (!e.MoveNext())
            {
                throw new ArgumentException($"Option {key} needs a value.");
            }

            if (!_values.TryAdd(key[2..], e.Current))
            {
                throw new ArgumentException($"Option {key} is given twice.");
            }
        }
    }

    public bool Has(string key) => _values.ContainsKey(key);

    public string GetString(string key) =>
        GetOptionalString(key) ?? throw new ArgumentException($"Option --{key} is required.");

    public string? GetOptionalString(string key)
    {
        _read.Add(key);
        return _values.TryGetValue(key, out var v) ? v : null;
    }

    public int GetInt(string key, int min, int max, int? fallback = null)
    {
        var text = GetOptionalString(key);
        if (text is null)
        {
            return fallback ?? throw new ArgumentException($"Option --{key} is required.");
        }

        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) || v < min || v > max)
        {
            throw new ArgumentException($"Option --{key} must be an integer in [{min}, {max}], got '{text}'.");
        }

        return v;
    }

    public double GetDouble(string key, double min, double max, bool maxExclusive = false, double? fallback = null)
    {
        var text = GetOptionalString(key);
        if (text is null)
        {
            return fallback ?? throw new ArgumentException($"Option --{key} is required.");
        }

        var range = maxExclusive ? $"[{min}, {max})" : $"[{min}, {max}]";
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            || !double.IsFinite(v) || v < min || v > max || (maxExclusive && v == max))
        {
            throw new ArgumentException($"Option --{key} must be a number in {range}, got '{text}'.");
        }

        return v;
    }

    public void ThrowIfUnused()
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).Select(k => "--" + k).ToList();
        if (unknown.Count > 0)
        {
            throw new ArgumentException($"Unknown option(s) for this command: {string.Join(", ", unknown)}.");
        }
    }
}
