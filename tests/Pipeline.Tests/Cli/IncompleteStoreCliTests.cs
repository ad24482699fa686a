using Pipeline.Tests.Classifier;

namespace Pipeline.Tests.Cli;

/// <summary>
/// <c>pipeline train</c> and <c>evaluate</c> as real processes on a store whose featurize run was
/// interrupted (parts, but no <c>features/_SUCCESS</c>): exit 1 with one sentence that names the
/// store and the missing marker, and no model or report.
/// </summary>
[Collection(ClassifierCollection.Name)]
public sealed class IncompleteStoreCliTests(ClassifierFixture fixture) : IDisposable
{
    private readonly TempFolder _work = new();

    public void Dispose() => _work.Dispose();

    [Fact]
    public async Task Train_IncompleteStore_ExitsOneNamingTheStoreAndTheMissingMarker()
    {
        var store = CopyWithoutMarker(fixture.TrainStore, "train-store");
        var model = _work.Combine("model");

        using var result = await PipelineProcess.RunAsync(_work.Path, "train", "--features", store, "--output", model);

        AssertRefused(result, store);
        Assert.False(Directory.Exists(model));
    }

    [Fact]
    public async Task Train_IncompleteTestStore_ExitsOneNamingTheTestStore()
    {
        var test = CopyWithoutMarker(fixture.TestStore, "test-store");
        var model = _work.Combine("model");

        using var result = await PipelineProcess.RunAsync(_work.Path, "train", "--features", fixture.TrainStore, "--test-features", test, "--output", model);

        AssertRefused(result, test);
        Assert.False(Directory.Exists(model));
    }

    [Fact]
    public async Task Evaluate_IncompleteStore_ExitsOneNamingTheStoreAndTheMissingMarker()
    {
        var store = CopyWithoutMarker(fixture.TestStore, "test-store");
        var report = _work.Combine("report");

        using var result = await PipelineProcess.RunAsync(_work.Path, "evaluate", "--model", fixture.ModelDirectory, "--features", store, "--output", report);

        AssertRefused(result, store);
        Assert.False(Directory.Exists(report));
    }

    private static void AssertRefused(PipelineProcess result, string store)
    {
        Assert.Equal(1, result.ExitCode);
        Assert.Equal(string.Empty, result.StandardOutput);
        var line = Assert.Single(result.ErrorLines);
        Assert.Equal(
            $"error: Feature store '{store}' is incomplete: '{Path.Combine(store, "features")}' has no _SUCCESS marker, so the featurize run that wrote it was interrupted; run the same featurize again to complete it.",
            line);
    }

    /// <summary>A copy of a real store as a stopped featurize leaves it: the same parts, no marker.</summary>
    private string CopyWithoutMarker(string store, string name)
    {
        var copy = _work.Combine(name);
        foreach (var file in Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(copy, Path.GetRelativePath(store, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        File.Delete(Path.Combine(copy, "features", "_SUCCESS"));
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(copy, "features"), "part-*.parquet"));
        return copy;
    }
}
