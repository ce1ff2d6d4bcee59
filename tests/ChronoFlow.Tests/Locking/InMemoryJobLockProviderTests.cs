using ChronoFlow.Testing;

namespace ChronoFlow.Tests.Locking;

public class InMemoryJobLockProviderTests
{
    [Fact]
    public async Task TryAcquireAsync_Held_ReturnsNullUntilReleased()
    {
        var p = new InMemoryJobLockProvider();
        var lease = await p.TryAcquireAsync("k", default);

        Assert.NotNull(lease);
        Assert.Null(await p.TryAcquireAsync("k", default));
        await lease.DisposeAsync();
        await lease.DisposeAsync();
        var again = await p.TryAcquireAsync("k", default);
        Assert.NotNull(again);
        Assert.Null(await p.TryAcquireAsync("k", default));
    }

    [Fact]
    public async Task Scheduler_JobsSharingALockKey_NeverOverlapAndTheLoserIsCounted()
    {
        var clock = new TestClock();
        var events = new EventRecorder();
        await using var s = SchedulerTestExtensions.CreateSoft(clock, events);
        var gate = new Gate();
        // b runs at 30 s, 90 s...; a at 60 s, 120 s...: a comes due while b holds the lock.
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), gate.Action, new JobOptions { LockKey = "db" });
        s.AddOrUpdate("b", Schedule.Every(TimeSpan.FromMinutes(1), anchor: TestClock.Epoch.AddSeconds(30)), gate.Action, new JobOptions { LockKey = "db" });

        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, s.Pump());
        await gate.WaitEnteredAsync();
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, s.Pump());
        var skipped = await events.WaitAsync(e => e.Kind == JobEventKind.Skipped);

        Assert.Equal("a", skipped.JobId);
        Assert.Equal(SkipReason.LockHeld, skipped.SkipReason);
        Assert.Equal(1, s.GetJob("a")!.SkipCount);
        gate.Release();
        await s.IdleAsync();
        Assert.Equal(1, gate.Entries);
    }
}
