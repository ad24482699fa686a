using System.Globalization;
using Pipeline.Settings;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Pipeline.PipelineFiles;

/// <summary>
/// Typed, position-aware reads from one YAML mapping of a pipeline file. Every read reports its own
/// errors (wrong type, out of range, missing) with the node's line and column and the dotted key path,
/// and returns null instead of throwing, so that one pass finds every error in the file.
/// </summary>
internal sealed class YamlSection
{
    private readonly PipelineFileDiagnostics _diagnostics;
    private readonly Dictionary<string, (YamlNode Key, YamlNode Value)> _entries;

    private YamlSection(PipelineFileDiagnostics diagnostics, string path, Mark anchor, Dictionary<string, (YamlNode, YamlNode)> entries)
    {
        _diagnostics = diagnostics;
        Path = path;
        Anchor = anchor;
        _entries = entries;
    }

    /// <summary>Dotted path of this mapping ("" for the document root).</summary>
    public string Path { get; }

    /// <summary>Where missing-key errors point: the section's key, or the document start for the root.</summary>
    public Mark Anchor { get; }

    /// <summary>
    /// Wraps <paramref name="node"/> as a section. A null or empty node is an empty section (every key
    /// takes its default); any key not in <paramref name="knownKeys"/> is reported with the nearest known one.
    /// </summary>
    public static YamlSection Create(PipelineFileDiagnostics diagnostics, string path, Mark anchor, YamlNode? node, IReadOnlyList<string> knownKeys)
    {
        var entries = new Dictionary<string, (YamlNode, YamlNode)>(StringComparer.Ordinal);
        if (node is null || IsNull(node))
        {
            return new YamlSection(diagnostics, path, anchor, entries);
        }

        if (node is not YamlMappingNode mapping)
        {
            diagnostics.Add(node.Start, path, $"expected a mapping of keys ({string.Join(", ", knownKeys)}), got {Describe(node)}");
            return new YamlSection(diagnostics, path, anchor, entries);
        }

        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            var keyPath = path.Length == 0 ? Text(keyNode) : $"{path}.{Text(keyNode)}";
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
            {
                diagnostics.Add(keyNode.Start, path, $"expected a key name, got {Describe(keyNode)}");
                continue;
            }

            if (!knownKeys.Contains(key, StringComparer.Ordinal))
            {
                var nearest = NearestName.Find(key, knownKeys);
                diagnostics.Add(keyNode.Start, keyPath, nearest is null
                    ? $"unknown key; known keys are {string.Join(", ", knownKeys)}"
                    : $"unknown key; did you mean '{nearest}'?");
                continue;
            }

            entries[key] = (keyNode, valueNode);
        }

        return new YamlSection(diagnostics, path, anchor, entries);
    }

    /// <summary>True when the key is present with a non-null value.</summary>
    public bool Has(string key) => Value(key) is not null;

    /// <summary>The dotted path of a key of this section.</summary>
    public string KeyPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Where the key is written, or this section's anchor when it is absent.</summary>
    public Mark KeyMark(string key) => _entries.TryGetValue(key, out var entry) ? entry.Key.Start : Anchor;

    /// <summary>Where the key's value is written, or where the key is when the value is empty.</summary>
    public Mark ValueMark(string key) => Value(key)?.Start ?? KeyMark(key);

    /// <summary>Reports an error about a key, positioned at its value (or the key when the value is empty).</summary>
    public void Error(string key, string message) => _diagnostics.Add(ValueMark(key), KeyPath(key), message);

    /// <summary>Reports an error at an explicit position, e.g. one item of a list.</summary>
    public void ReportAt(Mark at, string keyPath, string message) => _diagnostics.Add(at, keyPath, message);

    /// <summary>Reports an error about a key, positioned at the key itself.</summary>
    public void ErrorAtKey(string key, string message) => _diagnostics.Add(KeyMark(key), KeyPath(key), message);

    /// <summary>A nested mapping; empty when absent.</summary>
    public YamlSection Section(string key, IReadOnlyList<string> knownKeys) =>
        Create(_diagnostics, KeyPath(key), KeyMark(key), Value(key), knownKeys);

    /// <summary>A nested mapping made of settings, knowing their keys; empty when absent.</summary>
    public YamlSection Section(SettingSection section) => Section(section.Key, section.Keys);

    /// <summary>A whole-number setting within its range; null when absent or invalid.</summary>
    public int? Read(NumberSetting<int> setting) => (int?)Integer(setting.Key!, setting.Range);

    /// <summary>A whole-number setting within its range; null when absent or invalid.</summary>
    public long? Read(NumberSetting<long> setting) => Integer(setting.Key!, setting.Range);

    /// <summary>A number setting within its range; null when absent or invalid.</summary>
    public double? Read(NumberSetting<double> setting) => Number(setting.Key!, setting.Range);

    /// <summary>A flag setting; null when absent or invalid.</summary>
    public bool? Read(Setting<bool> setting) => Boolean(setting.Key!);

    /// <summary>A choice setting as a member of <typeparamref name="TEnum"/>; null when absent or invalid.</summary>
    public TEnum? Read<TEnum>(ChoiceSetting setting)
        where TEnum : struct, Enum => Choice<TEnum>(setting.Key!);

    /// <summary>A list setting, each item within its range; null when absent or invalid.</summary>
    public IReadOnlyList<double>? Read(NumberListSetting setting) => NumberList(setting.Key!, setting.Range);

    /// <summary>A text value; null (and an error when <paramref name="required"/>) when absent.</summary>
    public string? String(string key, bool required = false)
    {
        var node = Value(key);
        if (node is null)
        {
            ReportMissing(key, required, "a text value");
            return null;
        }

        if (node is not YamlScalarNode scalar || string.IsNullOrWhiteSpace(scalar.Value))
        {
            Error(key, $"expected a text value, got {Describe(node)}");
            return null;
        }

        return scalar.Value;
    }

    /// <summary>A whole number within <paramref name="range"/>; null when absent or invalid.</summary>
    public long? Integer(string key, NumberRange range, bool required = false)
    {
        var node = Value(key);
        if (node is null)
        {
            ReportMissing(key, required, "a whole number");
            return null;
        }

        return ParseInteger(node, KeyPath(key), range);
    }

    /// <summary>A finite number within <paramref name="range"/>; null when absent or invalid.</summary>
    public double? Number(string key, NumberRange range, bool required = false)
    {
        var node = Value(key);
        if (node is null)
        {
            ReportMissing(key, required, "a number");
            return null;
        }

        return ParseNumber(node, KeyPath(key), range);
    }

    /// <summary>true or false; null when absent or invalid.</summary>
    public bool? Boolean(string key)
    {
        var node = Value(key);
        if (node is null)
        {
            return null;
        }

        if (node is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var value))
        {
            return value;
        }

        Error(key, $"expected true or false, got {Describe(node)}");
        return null;
    }

    /// <summary>One of an enum's members, written camelCase in the file; null when absent or invalid.</summary>
    public TEnum? Choice<TEnum>(string key, bool required = false)
        where TEnum : struct, Enum
    {
        var node = Value(key);
        var names = Enum.GetNames<TEnum>().Select(CamelCase).ToArray();
        if (node is null)
        {
            ReportMissing(key, required, $"one of {string.Join(", ", names)}");
            return null;
        }

        var text = (node as YamlScalarNode)?.Value;
        if (text is not null && Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) && !int.TryParse(text, out _))
        {
            return value;
        }

        var nearest = text is null ? null : NearestName.Find(text, names);
        Error(key, $"expected one of {string.Join(", ", names)}, got {Describe(node)}" + (nearest is null ? "" : $"; did you mean '{nearest}'?"));
        return null;
    }

    /// <summary>A list of numbers, each within <paramref name="range"/>; a single number is a list of one.</summary>
    public IReadOnlyList<double>? NumberList(string key, NumberRange range)
    {
        var items = Items(key, "numbers");
        if (items is null)
        {
            return null;
        }

        var values = items.Select((item, i) => ParseNumber(item, $"{KeyPath(key)}[{i}]", range)).ToList();
        return values.All(v => v.HasValue) ? [.. values.Select(v => v!.Value)] : null;
    }

    /// <summary>A flag list setting (<c>[true, false]</c>); null when absent or invalid.</summary>
    public IReadOnlyList<bool>? Read(FlagListSetting setting)
    {
        var key = setting.Key!;
        var items = Items(key, "true/false values");
        if (items is null)
        {
            return null;
        }

        var values = new List<bool>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is YamlScalarNode { Value: { } text } && bool.TryParse(text, out var value))
            {
                values.Add(value);
            }
            else
            {
                _diagnostics.Add(items[i].Start, $"{KeyPath(key)}[{i}]", $"expected true or false, got {Describe(items[i])}");
            }
        }

        return values.Count == items.Count ? values : null;
    }

    /// <summary>A list of text values; a single value is a list of one.</summary>
    public IReadOnlyList<string>? StringList(string key)
    {
        var items = Items(key, "text values");
        if (items is null)
        {
            return null;
        }

        var values = new List<string>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i] is YamlScalarNode { Value: { Length: > 0 } text } && !IsNull(items[i]))
            {
                values.Add(text);
            }
            else
            {
                _diagnostics.Add(items[i].Start, $"{KeyPath(key)}[{i}]", $"expected a text value, got {Describe(items[i])}");
            }
        }

        return values.Count == items.Count ? values : null;
    }

    /// <summary>The raw value node, or null when the key is absent or its value is empty/null.</summary>
    public YamlNode? Value(string key) =>
        _entries.TryGetValue(key, out var entry) && !IsNull(entry.Value) ? entry.Value : null;

    /// <summary>How a node is quoted in messages: <c>'abc'</c>, <c>a list</c>, <c>a mapping</c>.</summary>
    public static string Describe(YamlNode node) => node switch
    {
        YamlScalarNode scalar when IsNull(scalar) => "nothing",
        YamlScalarNode scalar => $"'{Shorten(scalar.Value ?? "")}'",
        YamlSequenceNode => "a list",
        YamlMappingNode => "a mapping",
        _ => "an alias",
    };

    /// <summary>A value as quoted in a message: a block scalar, or a mapping whose indentation was lost, can be many lines long.</summary>
    private static string Shorten(string value)
    {
        const int MaxChars = 60;
        return value.Length <= MaxChars ? value : value[..(MaxChars - 1)] + "…";
    }

    /// <summary>The YAML spelling of an enum member (<c>WeightedPrecision</c> → <c>weightedPrecision</c>).</summary>
    public static string CamelCase(string name) => char.ToLowerInvariant(name[0]) + name[1..];

    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static string Text(YamlNode node) => node is YamlScalarNode { Value: { } text } ? text : "?";

    private List<YamlNode>? Items(string key, string what)
    {
        var node = Value(key);
        switch (node)
        {
            case null:
                return null;
            case YamlSequenceNode { Children.Count: 0 }:
                Error(key, $"expected a non-empty list of {what}");
                return null;
            case YamlSequenceNode sequence:
                return [.. sequence.Children];
            case YamlScalarNode:
                return [node];
            default:
                Error(key, $"expected a list of {what}, got {Describe(node)}");
                return null;
        }
    }

    private long? ParseInteger(YamlNode node, string keyPath, NumberRange range)
    {
        var text = (node as YamlScalarNode)?.Value;
        if (text is null || !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            var isNumber = text is not null && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
            _diagnostics.Add(node.Start, keyPath, isNumber
                ? $"expected a whole number, got '{text}'"
                : $"expected a whole number, got {Describe(node)}");
            return null;
        }

        if (!range.Contains(value))
        {
            _diagnostics.Add(node.Start, keyPath, $"{text} is out of range; allowed: {range}");
            return null;
        }

        return value;
    }

    private double? ParseNumber(YamlNode node, string keyPath, NumberRange range)
    {
        var text = (node as YamlScalarNode)?.Value;
        if (text is null
            || !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value))
        {
            _diagnostics.Add(node.Start, keyPath, $"expected a number, got {Describe(node)}");
            return null;
        }

        if (!range.Contains(value))
        {
            _diagnostics.Add(node.Start, keyPath, $"{text} is out of range; allowed: {range}");
            return null;
        }

        return value;
    }

    private void ReportMissing(string key, bool required, string what)
    {
        if (required)
        {
            _diagnostics.Add(KeyMark(key), KeyPath(key), $"missing required value; expected {what}");
        }
    }
}
