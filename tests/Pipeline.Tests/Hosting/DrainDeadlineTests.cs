using Pipeline.Hosting;

namespace Pipeline.Tests.Hosting;

public sealed class DrainDeadlineTests
{
    /// <summary>Generous: the deadlines below are tens of milliseconds; a missed one must fail, not stall CI.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(100, 75)]
    [InlineData(2_000, 1_500)]
    [InlineData(30_000, 25_000)]
    [InlineData(600_000, 595_000)]
    public void BudgetOf_GracePeriod_LeavesAQuarterAtMostFiveSecondsForTheCommit(int graceMs, int budgetMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(budgetMs), DrainDeadline.BudgetOf(TimeSpan.FromMilliseconds(graceMs)));
    }

    [Fact]
    public async Task Token_StopRequested_FiresAfterTheBudgetAndCountsAsPassed()
    {
        using var stop = new CancellationTokenSource();
        using var deadline = new DrainDeadline(TimeSpan.FromMilliseconds(40), stop.Token, TimeProvider.System);
        Assert.False(deadline.Token.IsCancellationRequested);

        await stop.CancelAsync();
        await Task.Delay(Timeout.Infinite, deadline.Token).ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Patience);

        Assert.True(deadline.Passed);
    }

    [Fact]
    public async Task Token_NoStop_NeverFires()
    {
        using var stop = new CancellationTokenSource();
        using var deadline = new DrainDeadline(TimeSpan.Zero, stop.Token, TimeProvider.System);

        await Task.Delay(50);

        Assert.False(deadline.Passed);
    }

    [Fact]
    public async Task Passed_DisposedBeforeTheBudgetRanOut_StaysFalse()
    {
        using var stop = new CancellationTokenSource();
        var deadline = new DrainDeadline(TimeSpan.FromMilliseconds(80), stop.Token, TimeProvider.System);
        await stop.CancelAsync();
        deadline.Dispose();

        await Task.Delay(150);

        Assert.False(deadline.Passed);
    }
}
