using Pipeline.Sources;

namespace Pipeline.Tests.Sources;

/// <summary>The ledger on its own, with ctimes made up in whole seconds (as nanoseconds) rather than waited for.</summary>
public sealed class LandingLedgerTests
{
    private const long Second = 1_000_000_000;

    [Fact]
    public void CompleteListing_FilesBelowTheWatermark_AreForgottenYetStillTaken()
    {
        var ledger = new LandingLedger();
        for (var i = 0; i < 1000; i++)
        {
            ledger.Take(Path(i), Identity(i), changedUnixNs: i * Second, inNewFolder: false, proposedWatermark: long.MinValue);
        }

        ledger.CompleteListing(proposedWatermark: 990 * Second);

        Assert.Equal(10, ledger.FilesRemembered);
        Assert.All(Enumerable.Range(0, 1000), i => Assert.True(ledger.HasTaken(Path(i), Position(i), Identity(i), i * Second, inNewFolder: false)));
        Assert.False(ledger.HasTaken(Path(1000), Position(1000), Identity(1000), 1000 * Second, inNewFolder: false));
    }

    [Fact]
    public void Take_BelowTheListingsProposedWatermark_RecordsNothing()
    {
        var ledger = new LandingLedger();

        ledger.Take(Path(1), Identity(1), changedUnixNs: 5 * Second, inNewFolder: false, proposedWatermark: 10 * Second);
        ledger.Take(Path(2), Identity(2), changedUnixNs: 15 * Second, inNewFolder: false, proposedWatermark: 10 * Second);

        Assert.Equal(1, ledger.FilesRemembered);
    }

    [Fact]
    public void AbandonListing_FilesUpToWhereItGot_CountAsTakenAndTheRestDoNot()
    {
        var ledger = new LandingLedger();

        ledger.AbandonListing(reached: Position(5), proposedWatermark: 100 * Second);

        Assert.True(ledger.HasTaken(Path(5), Position(5), Identity(5), 50 * Second, inNewFolder: false));
        Assert.False(ledger.HasTaken(Path(6), Position(6), Identity(6), 50 * Second, inNewFolder: false));
        Assert.False(ledger.HasTaken(Path(4), Position(4), Identity(4), 150 * Second, inNewFolder: false));
        Assert.Equal(long.MinValue, ledger.Watermark);
    }

    [Fact]
    public void AbandonListing_ALaterListingThatGotFurther_ReplacesTheEarlierMark()
    {
        var ledger = new LandingLedger();

        ledger.AbandonListing(Position(3), 100 * Second);
        ledger.AbandonListing(Position(8), 200 * Second);
        ledger.AbandonListing(Position(2), 300 * Second);

        Assert.Equal(2, ledger.Count);
        Assert.True(ledger.HasTaken(Path(7), Position(7), Identity(7), 150 * Second, inNewFolder: false));
        Assert.True(ledger.HasTaken(Path(1), Position(1), Identity(1), 250 * Second, inNewFolder: false));
        Assert.False(ledger.HasTaken(Path(3), Position(3), Identity(3), 250 * Second, inNewFolder: false));
        ledger.CompleteListing(50 * Second);
        Assert.Equal(0, ledger.Count);
    }

    [Fact]
    public void IsNewFolder_FolderNotInTheLastCompleteListing_IsNewAndItsFilesAreLookedUpByName()
    {
        var ledger = new LandingLedger();
        Assert.False(ledger.IsNewFolder("/in/a", inode: 1));
        ledger.CompleteListing(100 * Second);

        Assert.False(ledger.IsNewFolder("/in/a", inode: 1));
        Assert.True(ledger.IsNewFolder("/in/a/moved", inode: 2));
        Assert.True(ledger.IsNewFolder("/in/b", inode: 3));
        ledger.Take(Path(1), Identity(1), changedUnixNs: 10 * Second, inNewFolder: true, proposedWatermark: 200 * Second);

        Assert.True(ledger.HasTaken(Path(1), Position(1), Identity(1), 10 * Second, inNewFolder: true));
        Assert.False(ledger.HasTaken(Path(2), Position(2), Identity(2), 10 * Second, inNewFolder: true));
        ledger.CompleteListing(200 * Second);
        Assert.False(ledger.IsNewFolder("/in/a/moved", inode: 2));
        Assert.True(ledger.IsNewFolder("/in/a/moved", inode: 4));
        Assert.Equal(0, ledger.FilesRemembered);
    }

    [Fact]
    public void HasTaken_SamePathWithAnotherIdentity_IsNotTaken()
    {
        var ledger = new LandingLedger();
        ledger.Take(Path(1), Identity(1), changedUnixNs: 10 * Second, inNewFolder: false, proposedWatermark: 0);

        Assert.False(ledger.HasTaken(Path(1), Position(1), Identity(1) with { Size = 2 }, 11 * Second, inNewFolder: false));
        Assert.False(ledger.HasTaken(Path(1), Position(1), Identity(1) with { Inode = 99 }, 11 * Second, inNewFolder: false));
    }

    private static string Path(int i) => $"/in/a/{i:D4}.png";

    private static FilePosition Position(int i) => new(0, $"{i:D4}.png");

    private static FileIdentity Identity(int i) => new((ulong)i + 1, 100, i * Second);
}
