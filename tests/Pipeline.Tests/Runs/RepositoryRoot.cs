namespace Pipeline.Tests.Runs;

/// <summary>The repository checkout the tests run from (the folder holding Pipeline.sln).</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Pipeline.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no Pipeline.sln above {AppContext.BaseDirectory}");
    }
}
