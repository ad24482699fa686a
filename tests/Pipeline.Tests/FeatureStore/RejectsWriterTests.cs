using Pipeline.Decoding;
using Pipeline.FeatureStore;

namespace Pipeline.Tests.FeatureStore;

public sealed class RejectsWriterTests
{
    [Fact]
    public async Task CompleteAsync_NoRejects_WritesAZeroRowFileDuckDbReads()
    {
        using var dir = new TempFolder();
        await using (var writer = await RejectsWriter.CreateAsync(dir.Path, CancellationToken.None))
        {
            await writer.CompleteAsync(CancellationToken.None);
        }

        var file = Path.Combine(dir.Path, "rejects.parquet");
        Assert.True(File.Exists(file));
        Assert.Empty(await RejectsReader.ReadAsync(dir.Path));
        Assert.Equal(0L, DuckDbCount(file));
        Assert.Empty(FeatureStoreWriterTests.TemporaryFiles(dir));
    }

    [Fact]
    public async Task CompleteAsync_SeveralRowGroupsOfRejects_RoundTripInOrder()
    {
        using var dir = new TempFolder();
        var rejects = Enumerable.Range(0, 2500).Select(i => new Reject($"img/{i}.png", RejectStages.Decode, $"Not an image ({i}).")).ToArray();
        await using (var writer = await RejectsWriter.CreateAsync(dir.Path, CancellationToken.None))
        {
            foreach (var reject in rejects)
            {
                await writer.WriteAsync(reject, CancellationToken.None);
            }

            await writer.CompleteAsync(CancellationToken.None);
            Assert.Equal(2500, writer.RejectsWritten);
        }

        Assert.Equal(rejects, await RejectsReader.ReadAsync(dir.Path));
        Assert.Equal(2500L, DuckDbCount(Path.Combine(dir.Path, "rejects.parquet")));
    }

    [Fact]
    public async Task CreateAsync_ExistingRejects_KeepsThemOnceAfterThisRunsRows()
    {
        using var dir = new TempFolder();
        await using (var first = await RejectsWriter.CreateAsync(dir.Path, CancellationToken.None))
        {
            await first.WriteAsync(new Reject("a.png", RejectStages.Read, "Missing."), CancellationToken.None);
            await first.WriteAsync(new Reject("b.png", RejectStages.Limits, "Too big."), CancellationToken.None);
        }

        await using (var second = await RejectsWriter.CreateAsync(dir.Path, CancellationToken.None))
        {
            // The resumed run retries b.png and rejects it again: it must not appear twice.
            await second.WriteAsync(new Reject("b.png", RejectStages.Limits, "Still too big."), CancellationToken.None);
            await second.WriteAsync(new Reject("c.png", RejectStages.Decode, "Truncated."), CancellationToken.None);
            await second.CompleteAsync(CancellationToken.None);
        }

        Assert.Equal(
            [
                new Reject("b.png", RejectStages.Limits, "Still too big."),
                new Reject("c.png", RejectStages.Decode, "Truncated."),
                new Reject("a.png", RejectStages.Read, "Missing."),
            ],
            await RejectsReader.ReadAsync(dir.Path));
    }

    [Fact]
    public async Task CompleteAsync_EarlierRejectFeaturizedNow_DropsIt()
    {
        using var dir = new TempFolder();
        await using (var first = await RejectsWriter.CreateAsync(dir.Path, CancellationToken.None))
        {
            await first.WriteAsync(new Reject("a.png", RejectStages.Decode, "Truncated."), CancellationToken.None);
            await first.WriteAsync(new Reject("b.png", RejectStages.Read, "Missing."), CancellationToken.None);
        }

        await using (var second = await RejectsWriter.CreateAsync(dir.Path, CancellationToken.None))
        {
            // The user replaced a.png with a good file; the resumed run featurized it.
            second.Featurized("a.png");
            await second.CompleteAsync(CancellationToken.None);
        }

        Assert.Equal([new Reject("b.png", RejectStages.Read, "Missing.")], await RejectsReader.ReadAsync(dir.Path));
    }

    [Fact]
    public async Task CompleteAsync_AfterSourceCompleted_KeepsOnlyThisRunsRejects()
    {
        using var dir = new TempFolder();
        await using (var first = await RejectsWriter.CreateAsync(dir.Path, CancellationToken.None))
        {
            await first.WriteAsync(new Reject("gone.png", RejectStages.Decode, "Truncated."), CancellationToken.None);
        }

        await using (var second = await RejectsWriter.CreateAsync(dir.Path, CancellationToken.None))
        {
            // The whole source was read and gone.png was not in it any more.
            await second.WriteAsync(new Reject("c.png", RejectStages.Decode, "Truncated."), CancellationToken.None);
            second.SourceCompleted();
            await second.CompleteAsync(CancellationToken.None);
        }

        Assert.Equal([new Reject("c.png", RejectStages.Decode, "Truncated.")], await RejectsReader.ReadAsync(dir.Path));
    }

    [Fact]
    public async Task CreateAsync_OutputUnderARegularFile_ThrowsIOExceptionNamingThePath()
    {
        using var dir = new TempFolder();
        var file = Path.Combine(dir.Path, "file");
        await File.WriteAllTextAsync(file, "x");

        var e = await Assert.ThrowsAsync<IOException>(() => RejectsWriter.CreateAsync(Path.Combine(file, "out"), CancellationToken.None));
        Assert.StartsWith($"The rejects output directory '{Path.Combine(file, "out")}' cannot be created or written", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("not parquet at all")]
    [InlineData("PAR1 a corrupt footer \u0010\u0000\u0000\u0000PAR1")]
    public async Task ReadAsync_RejectsFileNotParquet_ThrowsInvalidDataExceptionNamingTheFile(string content)
    {
        using var dir = new TempFolder();
        var file = dir.Write("rejects.parquet", System.Text.Encoding.ASCII.GetBytes(content));

        var e = await Assert.ThrowsAsync<InvalidDataException>(() => RejectsReader.ReadAsync(dir.Path));
        Assert.StartsWith($"Rejects file '{file}' cannot be read as Parquet", e.Message, StringComparison.Ordinal);
    }

    private static long DuckDbCount(string file) => DuckDbQuery.Count($"SELECT count(*) FROM read_parquet('{file}')");
}
