using System.Diagnostics;
using System.Threading.Tasks.Dataflow;
using Pipeline.Featurization;

namespace Pipeline.Tests.Featurization;

public sealed class MicroBatchBlockTests
{
    /// <summary>An upper bound for a loaded machine, never a timing assertion.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Timers tick in whole milliseconds and may fire a little early against a <see cref="Stopwatch"/>.</summary>
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(15);

    [Fact]
    public async Task Create_FullBatch_IsEmittedWithoutWaitingForTheDelay()
    {
        var block = MicroBatchBlock.Create<int>(3, TimeSpan.FromHours(1), _ => { }, CancellationToken.None);

        for (var item = 1; item <= 4; item++)
        {
            await block.SendAsync(item);
        }

        var batch = await block.ReceiveAsync(Patience);

        Assert.Equal([1, 2, 3], batch);
    }

    [Fact]
    public async Task Create_PartialBatch_IsEmittedOnceTheDelayHasPassedSinceItsFirstItem()
    {
        var delay = TimeSpan.FromMilliseconds(300);
        var block = MicroBatchBlock.Create<int>(4, delay, _ => { }, CancellationToken.None);
        var clock = Stopwatch.StartNew();

        await block.SendAsync(1);
        await block.SendAsync(2);
        var batch = await block.ReceiveAsync(Patience);

        Assert.Equal([1, 2], batch);
        Assert.True(clock.Elapsed >= delay - TimerSlack, $"emitted after {clock.Elapsed}, before the {delay} delay");
    }

    [Fact]
    public async Task Create_ItemAfterAPartialBatch_StartsANewBatchWithItsOwnDeadline()
    {
        var block = MicroBatchBlock.Create<int>(4, TimeSpan.FromMilliseconds(100), _ => { }, CancellationToken.None);

        await block.SendAsync(1);
        var first = await block.ReceiveAsync(Patience);
        await block.SendAsync(2);
        var second = await block.ReceiveAsync(Patience);

        Assert.Equal([1], first);
        Assert.Equal([2], second);
    }

    [Fact]
    public async Task Complete_WithAPartialBatch_EmitsItAndCompletes()
    {
        var block = MicroBatchBlock.Create<int>(4, TimeSpan.FromHours(1), _ => { }, CancellationToken.None);

        await block.SendAsync(1);
        await block.SendAsync(2);
        block.Complete();

        var batch = await block.ReceiveAsync(Patience);
        await block.Completion.WaitAsync(Patience);
        Assert.Equal([1, 2], batch);
        Assert.Equal(TaskStatus.RanToCompletion, block.Completion.Status);
    }

    [Fact]
    public async Task Cancel_WithItemsHeld_DiscardsEveryOne()
    {
        using var cancel = new CancellationTokenSource();
        var discarded = new List<int>();
        var block = MicroBatchBlock.Create<int>(4, TimeSpan.FromHours(1), item => { lock (discarded) { discarded.Add(item); } }, cancel.Token);
        await block.SendAsync(1);
        await block.SendAsync(2);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => block.Completion.WaitAsync(Patience));
        await Poll.UntilAsync(() => { lock (discarded) { return discarded.Count == 2; } }, Patience, TimeSpan.FromMilliseconds(10));

        lock (discarded)
        {
            Assert.Equal([1, 2], discarded.Order());
        }
    }
}
