namespace Pipeline.Tests;

/// <summary>
/// The minimised inputs of fuzz/ findings (Fixtures/Fuzz, one file per bug, named after it; the
/// README there says which harness found each). Their tests keep the bugs fixed.
/// </summary>
internal static class FuzzFixture
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Fuzz", name);
}
