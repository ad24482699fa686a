namespace Pipeline.Tests.Runs.EndToEnd;

/// <summary>
/// The end-to-end tests run one after another: each featurizes with the real ResNet18, and on a small
/// machine parallel runs would only slow each other down (and the kill test wants a steady pace).
/// </summary>
[CollectionDefinition(Name)]
public sealed class EndToEndCollection
{
    public const string Name = "EndToEnd";
}
