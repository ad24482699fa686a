namespace Pipeline.Settings;

/// <summary>
/// A setting whose value is one member of an enum, its default held by name: the enums
/// (<c>InferenceDevice</c>, <c>SelectionMetricKind</c>) live in namespaces that read this catalog, so
/// naming their type here would make a namespace cycle. <see cref="DefaultAs{TEnum}"/> gives the member.
/// </summary>
internal sealed class ChoiceSetting(string? key, string defaultName, string description) : Setting<string>(key, defaultName, description)
{
    /// <summary>The default as a member of <typeparamref name="TEnum"/>, matched ignoring case as the file's values are.</summary>
    public TEnum DefaultAs<TEnum>()
        where TEnum : struct, Enum => Enum.Parse<TEnum>(Default, ignoreCase: true);
}
