namespace Pipeline.Sources;

/// <summary>
/// The classes of a data set, sorted ordinally, each with its index: the label → index map that
/// travels with the features, the model and its predictions.
/// </summary>
public sealed class ClassList
{
    private readonly Dictionary<string, int> _indexByName;

    private ClassList(string[] names)
    {
        Names = names;
        _indexByName = new Dictionary<string, int>(names.Length, StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            _indexByName.Add(names[i], i);
        }
    }

    /// <summary>Class names in index order.</summary>
    public IReadOnlyList<string> Names { get; }

    public int Count => Names.Count;

    /// <summary>Builds the list from labels in any order, with duplicates.</summary>
    public static ClassList FromLabels(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var names = labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        return new ClassList(names);
    }

    /// <summary>The index of <paramref name="label"/>, or -1 when it is not a class.</summary>
    public int IndexOf(string label) => _indexByName.TryGetValue(label, out var index) ? index : -1;
}
