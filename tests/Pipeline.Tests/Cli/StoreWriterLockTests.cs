using Pipeline.FeatureStore;
using Pipeline.Tests.Featurization;
using Pipeline.Tests.Runs.EndToEnd;

namespace Pipeline.Tests.Cli;

/// <summary>
/// Two <c>pipeline featurize</c> processes on one store: the second is turned away at once with a
/// message naming the store and the holder, and the first completes unharmed. A holder killed with
/// SIGKILL leaves no lock behind.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class StoreWriterLockTests : IDisposable
{
    private const int ImageCount = 12;

    private readonly TempFolder _dir = new();
    private readonly Dictionary<string, string> _images;
    private readonly string _store;

    public StoreWriterLockTests()
    {
        _images = GeneratedImages.WriteFolder(_dir.Combine("images"), ImageCount, "a", "b", "c");
        _store = _dir.Combine("store");
    }

    public void Dispose() => _dir.Dispose();

    private string LockFile => Path.Combine(_store, ".store.lock");

    [Fact]
    public async Task Featurize_SecondProcessOnAStoreBeingWritten_FailsFastNamingTheStoreAndTheFirstCompletesWithEveryRow()
    {
        using var first = Featurize();
        await WaitUntilLockedAsync(first);

        // Frozen while it holds the store, so the second certainly meets it however fast the first would be.
        first.Suspend();
        try
        {
            using var second = Featurize();
            await second.WaitForExitAsync();

            Assert.Equal(1, second.ExitCode);
            Assert.Equal(
                $"error: The feature store '{_store}' is being written by another process (pid {first.Id}); a store takes one writer at a time.",
                Assert.Single(second.ErrorLines));
        }
        finally
        {
            first.Resume();
        }

        await first.WaitForExitAsync();
        Assert.True(first.ExitCode == 0, first.Output);
        await AssertCompleteWithEveryImageAsync();
    }

    [Fact]
    public async Task Featurize_HolderKilledWithSigkill_NextProcessTakesTheStoreAndCompletes()
    {
        int killed;
        using (var first = Featurize())
        {
            await WaitUntilLockedAsync(first);
            killed = first.Id;
            first.KillHard();
            await first.WaitForExitAsync();
        }

        // The file still names the dead holder: the kernel's lock, not the file, is what excludes.
        Assert.Equal($"{killed}\n", await File.ReadAllTextAsync(LockFile));

        using var second = Featurize();
        await second.WaitForExitAsync();

        Assert.True(second.ExitCode == 0, second.Output);
        await AssertCompleteWithEveryImageAsync();
    }

    private PipelineProcess Featurize() =>
        PipelineProcess.Start(_dir.Path, "featurize", "--device", "cpu", "--batch-size", "4", "--input", _dir.Combine("images"), "--output", _store);

    /// <summary>The holder writes its pid once it has the lock.</summary>
    private async Task WaitUntilLockedAsync(PipelineProcess process) =>
        await Poll.UntilAsync(
            () => File.Exists(LockFile) && new FileInfo(LockFile).Length > 0,
            PipelineProcess.Patience,
            TimeSpan.FromMilliseconds(10),
            () => Assert.False(process.HasExited, process.Output));

    private async Task AssertCompleteWithEveryImageAsync()
    {
        Assert.False(File.Exists(LockFile));
        var reader = await FeatureStoreReader.OpenAsync(_store);
        Assert.True(reader.IsComplete);
        var features = await reader.ReadAllAsync();
        Assert.Equal(_images.Keys.Order(StringComparer.Ordinal), features.Paths.Order(StringComparer.Ordinal));
    }
}
