using Pipeline.PipelineFiles;
using Pipeline.Sources;
using Pipeline.Tests.PipelineFiles;

namespace Pipeline.Tests.Sources;

public sealed class SourceKindsTests
{
    public static TheoryData<string> KindNames => [.. SourceKinds.All.Select(k => k.Name)];

    /// <summary>
    /// Every registered kind, a new one included, gets this for free: a definition made from its
    /// declared fields is written to resolved.yaml and read back by the loader unchanged. Paths
    /// hold a comma, which no kind may split.
    /// </summary>
    [Theory]
    [MemberData(nameof(KindNames))]
    public void All_EachKind_RoundTripsThroughResolvedYamlAndTheLoader(string name)
    {
        using var folder = new TempFolder();
        Directory.CreateDirectory(folder.Combine("images"));
        var defaults = new RunDefaults { BaseDirectory = folder.Path, OutputRoot = "runs" };
        var kind = SourceKinds.All.Single(k => k.Name == name);
        var values = kind.Fields.ToDictionary(f => f.Key, f => Existing(folder, f));
        var definition = kind.Create(values);
        var run = PipelineFileLoader.Parse(PipelineFileLoaderTests.Minimal, "t.yaml", defaults).GetDefinitionOrThrow()
            with { Source = definition, TestSource = definition, Split = null };

        var resolved = ResolvedPipelineYaml.Write(run, "resnet18");
        var reread = PipelineFileLoader.Parse(resolved, "resolved.yaml", defaults).GetDefinitionOrThrow();

        Assert.Equal(values, kind.Values(definition));
        Assert.Equal(definition, reread.Source);
        Assert.Equal(definition, reread.TestSource);
        Assert.Equal(resolved, ResolvedPipelineYaml.Write(reread, "resnet18"));
    }

    [Fact]
    public void Of_EachKindsDefinition_IsThatKind()
    {
        Assert.Equal("folder", SourceKinds.Of(new FolderSourceDefinition("f")).Name);
        Assert.Equal("manifest", SourceKinds.Of(new ManifestSourceDefinition("m.csv")).Name);
        Assert.Equal("idx", SourceKinds.Of(new IdxSourceDefinition("i", "l")).Name);
        Assert.Equal("watch", SourceKinds.Of(new WatchSourceDefinition("w")).Name);
    }

    [Fact]
    public void All_KindNames_AreDistinctAndLowerCase()
    {
        var names = SourceKinds.All.Select(k => k.Name).ToArray();

        Assert.Equal(names.Distinct().Count(), names.Length);
        Assert.All(names, n => Assert.Equal(n.ToLowerInvariant(), n));
    }

    /// <summary>An absolute path, holding a comma, of what <paramref name="field"/> must name.</summary>
    private static string Existing(TempFolder folder, SourceField field)
    {
        var name = $"{field.Key},1{(field.Extensions.Count > 0 ? field.Extensions[0] : "")}";
        if (field.Kind == SourceFieldKind.Folder)
        {
            return Directory.CreateDirectory(folder.Combine(name)).FullName;
        }

        return folder.Write(name);
    }
}
