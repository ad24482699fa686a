using Pipeline.Decoding;
using Pipeline.Sources;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Pipeline.Tests.Decoding;

/// <summary>
/// The per-image time limit around a decode that blocks the way a read on a hung mount or a FIFO
/// does: in a wait that ignores every token.
/// </summary>
public sealed class DecodeTimeLimitTests
{
    private const string StuckPath = "/data/a/stuck.png";

    /// <summary>How long a test waits for what the limit must bring about; an upper bound, not a timing assertion.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Limit = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task RunAsync_DecodeBlockedIgnoringItsToken_IsRejectedNamingTheLimitAndItsLateImageDisposed()
    {
        using var release = new ManualResetEventSlim();
        var late = new Image<Rgb24>(4, 4);
        var image = new LabelledImage(0, StuckPath, "a", 0);

        var outcome = await new DecodeTimeLimit(Limit).RunAsync(
            StuckPath,
            _ =>
            {
                release.Wait(CancellationToken.None);
                return DecodeOutcome.Decoded(new DecodedImage(image, late, 4, 4));
            },
            CancellationToken.None).WaitAsync(Patience);

        Assert.False(outcome.IsDecoded);
        Assert.Equal(new Reject(StuckPath, RejectStages.Limits, "Decoding did not finish within the time limit of 0.2 s, so it was abandoned."), outcome.Reject);

        // The decode ends only now; what it returns has no receiver, so the limit disposes it.
        Assert.Equal(0, late[0, 0].R);
        release.Set();
        await Poll.UntilAsync(() => IsDisposed(late), Patience, TimeSpan.FromMilliseconds(10));
    }

    [Fact]
    public async Task RunAsync_DecodeThatOverranTheLimitBeforeTheTimerFired_IsRejectedAndItsImageDisposed()
    {
        // A loaded machine: the decode takes longer than the limit, but the timer has not fired when it ends.
        var clock = new TimersNeverFireClock();
        var image = new Image<Rgb24>(4, 4);

        var outcome = await new DecodeTimeLimit(Limit, time: clock).RunAsync(
            StuckPath,
            _ =>
            {
                clock.Advance(Limit + TimeSpan.FromMilliseconds(1));
                return DecodeOutcome.Decoded(new DecodedImage(new LabelledImage(0, StuckPath, "a", 0), image, 4, 4));
            },
            CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(new Reject(StuckPath, RejectStages.Limits, "Decoding did not finish within the time limit of 0.2 s, so it was abandoned."), outcome.Reject);
        Assert.True(IsDisposed(image));
    }

    [Fact]
    public async Task RunAsync_DecodeThatEndedAtTheLimit_IsKept()
    {
        var clock = new TimersNeverFireClock();
        using var image = new Image<Rgb24>(4, 4);

        var outcome = await new DecodeTimeLimit(Limit, time: clock).RunAsync(
            StuckPath,
            _ =>
            {
                clock.Advance(Limit);
                return DecodeOutcome.Decoded(new DecodedImage(new LabelledImage(0, StuckPath, "a", 0), image, 4, 4));
            },
            CancellationToken.None).WaitAsync(Patience);

        Assert.True(outcome.IsDecoded);
    }

    [Fact]
    public async Task RunAsync_DecodeOverTheLimit_IsToldToStopThroughItsToken()
    {
        var sawStop = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        var outcome = await new DecodeTimeLimit(Limit).RunAsync(
            StuckPath,
            stop =>
            {
                sawStop.SetResult(stop.WaitHandle.WaitOne(Patience));
                return DecodeOutcome.Rejected(new Reject(StuckPath, RejectStages.Decode, "stopped"));
            },
            CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(RejectStages.Limits, outcome.Reject!.Stage);
        Assert.True(await sawStop.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task RunAsync_DecodeWithinTheLimit_ReturnsItsOutcome()
    {
        var reject = new Reject(StuckPath, RejectStages.Decode, "corrupt");

        var outcome = await new DecodeTimeLimit(Patience).RunAsync(StuckPath, _ => DecodeOutcome.Rejected(reject), CancellationToken.None);

        Assert.Same(reject, outcome.Reject);
    }

    [Fact]
    public async Task RunAsync_CallerCancelsWhileBlocked_ThrowsAndStopsTheDecode()
    {
        using var cancel = new CancellationTokenSource();
        var stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        var running = new DecodeTimeLimit(Patience).RunAsync(
            StuckPath,
            stop =>
            {
                stopped.SetResult(stop.WaitHandle.WaitOne(Patience));
                return DecodeOutcome.Rejected(new Reject(StuckPath, RejectStages.Decode, "stopped"));
            },
            cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Patience));
        Assert.True(await stopped.Task.WaitAsync(Patience));
    }

    [Fact]
    public async Task RunAsync_MaxStuckDecodesStillRunningALimitAfterBeingAbandoned_FailsWithoutStartingTheNextUntilOneEnds()
    {
        using var release = new ManualResetEventSlim();
        var limit = new DecodeTimeLimit(Limit, maxStuck: 2);
        DecodeOutcome Hang(CancellationToken ignored)
        {
            release.Wait(CancellationToken.None);
            return DecodeOutcome.Rejected(new Reject(StuckPath, RejectStages.Decode, "ended"));
        }

        // One at a time, so that the last one counted is known.
        string[] paths = ["/data/a/1.png", "/data/a/2.png"];
        for (var i = 0; i < paths.Length; i++)
        {
            var outcome = await limit.RunAsync(paths[i], Hang, CancellationToken.None).WaitAsync(Patience);
            Assert.Equal(RejectStages.Limits, outcome.Reject!.Stage);
            var expected = i + 1;
            await Poll.UntilAsync(() => limit.StuckDecodes == expected, Patience, TimeSpan.FromMilliseconds(10));
        }

        var started = false;
        var error = await Assert.ThrowsAsync<IOException>(() => limit.RunAsync(
            StuckPath,
            _ =>
            {
                started = true;
                return DecodeOutcome.Rejected(new Reject(StuckPath, RejectStages.Decode, "ran"));
            },
            CancellationToken.None));

        Assert.False(started);
        Assert.Equal(
            "2 image decodes abandoned at the time limit of 0.2 s are still running 0.2 s later (the last: '/data/a/2.png'), so no more are started: the storage the images are read from may be hung.",
            error.Message);

        // Once the stuck decodes end, the threads they held are back, and so are decodes.
        release.Set();
        await Poll.UntilAsync(() => limit.StuckDecodes == 0, Patience, TimeSpan.FromMilliseconds(10));
        var reject = new Reject(StuckPath, RejectStages.Decode, "corrupt");
        Assert.Same(reject, (await limit.RunAsync(StuckPath, _ => DecodeOutcome.Rejected(reject), CancellationToken.None)).Reject);
    }

    private static bool IsDisposed(Image<Rgb24> image)
    {
        try
        {
            _ = image[0, 0];
            return false;
        }
        catch (ObjectDisposedException)
        {
            return true;
        }
    }

    /// <summary>A clock that moves only when told and whose timers never fire: a timer as late as a loaded machine can make it.</summary>
    private sealed class TimersNeverFireClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NeverFires();

        private sealed class NeverFires : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}
