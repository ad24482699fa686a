using Pipeline.Hosting;

namespace Pipeline.Tests.Hosting;

/// <summary><see cref="DrainDeadline"/> on a <see cref="ManualClock"/>, so that no pause of a loaded machine can move a deadline.</summary>
public sealed class DrainDeadlineTests
{
    private readonly ManualClock _clock = new();

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
    public async Task Token_StopRequested_FiresExactlyAtTheBudgetAndCountsAsPassed()
    {
        using var stop = new CancellationTokenSource();
        using var deadline = new DrainDeadline(TimeSpan.FromSeconds(40), _clock, stop.Token);

        await stop.CancelAsync();
        _clock.Advance(TimeSpan.FromSeconds(35) - TimeSpan.FromTicks(1));
        var beforeTheBudget = deadline.Token.IsCancellationRequested;
        _clock.Advance(TimeSpan.FromTicks(1));

        Assert.False(beforeTheBudget);
        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.True(deadline.Passed);
    }

    [Fact]
    public void Token_NoStop_NeverFires()
    {
        using var stop = new CancellationTokenSource();
        using var deadline = new DrainDeadline(TimeSpan.Zero, _clock, stop.Token);

        _clock.Advance(TimeSpan.FromDays(1));

        Assert.False(deadline.Passed);
    }

    [Fact]
    public async Task Passed_DisposedBeforeTheBudgetRanOut_StaysFalse()
    {
        using var stop = new CancellationTokenSource();
        var deadline = new DrainDeadline(TimeSpan.FromSeconds(8), _clock, stop.Token);
        await stop.CancelAsync();
        _clock.Advance(TimeSpan.FromSeconds(5));
        deadline.Dispose();

        _clock.Advance(TimeSpan.FromDays(1));

        Assert.False(deadline.Passed);
    }
}
