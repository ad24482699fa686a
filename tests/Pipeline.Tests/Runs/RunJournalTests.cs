using System.Text.Json;
using Pipeline.Runs;

namespace Pipeline.Tests.Runs;

/// <summary><see cref="RunJournal"/> writing run.json on a file system with no room left (a tmpfs filled to the last page).</summary>
public sealed class RunJournalTests : IDisposable
{
    private readonly TempFolder _dir = new();
    private bool _mounted;

    public void Dispose()
    {
        if (_mounted)
        {
            RootFactAttribute.Unmount(_dir.Path);
        }

        _dir.Dispose();
    }

    [RootFact]
    public async Task FailAsync_DiskFull_RewritesRunJsonInPlaceAsFailedWithTheError()
    {
        RootFactAttribute.Mount(_dir.Path, "64k");
        _mounted = true;
        var path = _dir.Combine("run.json");
        var journal = new RunJournal(path, new RunRecord { Name = "p", PipelineFile = "p.yaml", RunFolder = _dir.Path, Model = "resnet18" }, TimeProvider.System);
        await journal.StartAsync();
        Fill(_dir.Combine("filler"));

        await journal.FailAsync("No space left on device : 'features/part-00003.parquet'");

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal("failed", json.RootElement.GetProperty("state").GetString());
        Assert.Equal("No space left on device : 'features/part-00003.parquet'", json.RootElement.GetProperty("error").GetString());
        Assert.Equal(RunState.Failed, journal.Current.State);
        Assert.Equal(["filler", "run.json"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    /// <summary>Writes <paramref name="path"/> until the file system is full, so that a new file gets no block.</summary>
    private static void Fill(string path)
    {
        var page = new byte[4096];
        using var filler = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0);
        try
        {
            while (true)
            {
                filler.Write(page);
            }
        }
        catch (IOException)
        {
            // ENOSPC: the last page is taken.
        }
    }
}
