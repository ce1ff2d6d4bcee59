using System.Diagnostics;
using ChronoFlow.Testing;

namespace ChronoFlow.Tests.Scheduling;

public partial class JobSchedulerTests
{
    [Fact]
    public async Task Pump_ClockMovesBackwards_NeverRunsAnOccurrenceTwice()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action);
        s.AddOrUpdate("c", Schedule.Cron("*/2 * * * *"), _runs.Action);
        for (var i = 0; i < 4; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await s.PumpAndWaitAsync();
        }

        _clock.Skew = TimeSpan.FromMinutes(-3);
        for (var i = 0; i < 8; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await s.PumpAndWaitAsync();
        }

        var a = _runs.ScheduledTimes("a").ToList();
        var c = _runs.ScheduledTimes("c").ToList();
        Assert.Equal(a.Distinct(), a);
        Assert.Equal(c.Distinct(), c);
        Assert.Equal(Enumerable.Range(1, 9).Select(i => T0.AddMinutes(i)), a);
        Assert.Equal([T0.AddMinutes(2), T0.AddMinutes(4), T0.AddMinutes(6), T0.AddMinutes(8)], c);
    }

    [Fact]
    public async Task Pump_ClockLeapsYearsForward_HandlesEverySecondJobByPolicyAtOnce()
    {
        await using var s = Soft();
        s.AddOrUpdate("skip", Schedule.Cron("* * * * * *"), _runs.Action, new JobOptions { Misfire = MisfirePolicy.Skip, MisfireGracePeriod = TimeSpan.Zero });
        s.AddOrUpdate("once", Schedule.Every(TimeSpan.FromSeconds(1)), _runs.Action, new JobOptions { Misfire = MisfirePolicy.RunOnce, MisfireGracePeriod = TimeSpan.Zero });
        var watch = Stopwatch.StartNew();

        _clock.Advance(TimeSpan.FromDays(3650));
        await s.PumpAndWaitAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), watch.Elapsed.ToString());
        var now = _clock.GetUtcNow();
        Assert.Equal([now], _runs.ScheduledTimes("skip"));
        Assert.Equal([T0.AddSeconds(1)], _runs.ScheduledTimes("once"));
        Assert.Equal(DuePolicy.CountCap, s.GetJob("skip")!.MisfireCount);
        Assert.Equal(3650L * 86400 - 1, s.GetJob("once")!.MisfireCount);
        Assert.Equal(now.AddSeconds(1), s.GetJob("once")!.NextRun);
    }

    [Fact]
    public async Task HardMode_Timer_SleepsUntilDueAndRunsOnTime()
    {
        await using var s = new JobScheduler(new SchedulerOptions { EventListeners = { _events } }, _clock);
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(5)), _runs.Action);
        await s.StartAsync();

        _clock.Advance(TimeSpan.FromMinutes(5) - TimeSpan.FromTicks(1));
        await s.IdleAsync();
        Assert.Empty(_runs.Runs);
        _clock.Advance(TimeSpan.FromTicks(1));
        await s.IdleAsync();
        _clock.Advance(TimeSpan.FromMinutes(5));
        await s.IdleAsync();

        Assert.Equal([T0.AddMinutes(5), T0.AddMinutes(10)], _runs.ScheduledTimes("a"));
        Assert.All(_runs.Runs, r => Assert.Equal(r.ScheduledTime, r.StartedTime));
    }

    [Fact]
    public async Task SoftMode_FallbackInterval_PumpsWithoutTheHost()
    {
        await using var s = Soft(o => o.SoftModeFallbackInterval = TimeSpan.FromSeconds(45));
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action);
        await s.StartAsync();

        // Due at T0+1m and T0+2m; the host never pumps. The 45-second tick finds them at T0+90s and T0+135s.
        foreach (var seconds in new[] { 45, 60, 90, 120, 135 })
        {
            _clock.SetUtcNow(T0.AddSeconds(seconds));
            await s.IdleAsync();
            Assert.Equal(seconds < 90 ? 0 : seconds < 135 ? 1 : 2, _runs.Runs.Count);
        }

        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(2)], _runs.ScheduledTimes("a"));
        Assert.Equal([T0.AddSeconds(90), T0.AddSeconds(135)], _runs.Runs.Select(r => r.StartedTime));
    }

    [Fact]
    public async Task SoftMode_NoFallbackInterval_NothingRunsUntilThePump()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action);
        await s.StartAsync();

        _clock.Advance(TimeSpan.FromMinutes(10));
        await s.WaitForIdleAsync();
        Assert.Empty(_runs.Runs);

        Assert.Equal(1, await s.PumpAndWaitAsync());
        Assert.Equal(1, s.GetJob("a")!.SuccessCount);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(86401)]
    public void Constructor_FallbackIntervalOutOfRange_NamesTheOption(int seconds)
    {
        var ex = Assert.Throws<ArgumentException>(() => new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft, SoftModeFallbackInterval = TimeSpan.FromSeconds(seconds) }, _clock));
        Assert.Contains("SchedulerOptions.SoftModeFallbackInterval must be more than zero and at most 1.00:00:00", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HardMode_AddOrUpdateSooner_WakesTheTimerEarly()
    {
        await using var s = new JobScheduler(null, _clock);
        s.AddOrUpdate("later", Schedule.Every(TimeSpan.FromMinutes(50)), _runs.Action);
        await s.StartAsync();
        _clock.Advance(TimeSpan.FromSeconds(10));

        s.AddOrUpdate("sooner", Schedule.Once(T0.AddSeconds(20)), _runs.Action);
        _clock.Advance(TimeSpan.FromSeconds(10));
        await s.IdleAsync();

        Assert.Equal([T0.AddSeconds(20)], _runs.ScheduledTimes("sooner"));
        Assert.Equal(_runs.Runs[0].ScheduledTime, _runs.Runs[0].StartedTime);
    }

    [Fact]
    public async Task HardMode_StartupAndOverdueJobs_RunRightAfterStart()
    {
        await using var s = new JobScheduler(null, _clock);
        s.AddOrUpdate("boot", Schedule.Startup, _runs.Action);
        s.AddOrUpdate("overdue", Schedule.Once(T0.AddSeconds(-5)), _runs.Action);
        await s.IdleAsync();
        Assert.Empty(_runs.Runs);

        await s.StartAsync();
        await s.IdleAsync();

        Assert.Equal(["boot", "overdue"], _runs.Runs.Select(r => r.JobId).Order());
    }

    [Fact]
    public async Task HardMode_ResumeAndTrigger_RunWithoutWaitingForTheOldWakeUp()
    {
        await using var s = new JobScheduler(null, _clock);
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromSeconds(30)), _runs.Action);
        s.AddOrUpdate("far", Schedule.Every(TimeSpan.FromDays(1)), _runs.Action);
        s.Pause("a");
        await s.StartAsync();
        _clock.Advance(TimeSpan.FromSeconds(45));
        await s.IdleAsync();
        Assert.Empty(_runs.Runs);

        s.Resume("a");
        _clock.Advance(TimeSpan.FromSeconds(15));
        await s.IdleAsync();
        Assert.Equal([T0.AddSeconds(60)], _runs.ScheduledTimes("a"));

        Assert.True(s.Trigger("far"));
        await s.IdleAsync();
        Assert.Equal([T0.AddSeconds(60)], _runs.ScheduledTimes("far"));
    }

    [Fact]
    public async Task HardMode_ClockMovesBackwards_TimerRearmsWithoutHangOrDoubleRun()
    {
        await using var s = new JobScheduler(null, _clock);
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action);
        await s.StartAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        await s.IdleAsync();

        _clock.Skew = TimeSpan.FromMinutes(-10);
        for (var i = 0; i < 12; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await s.IdleAsync();
        }

        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(2), T0.AddMinutes(3)], _runs.ScheduledTimes("a"));
    }

    [Fact]
    public async Task StopAsync_RunningJobsFinishWithinTimeout_RecordsThemSucceeded()
    {
        var s = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft, ShutdownTimeout = TimeSpan.FromSeconds(10) }, _clock);
        var gate = new Gate();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), gate.Action);
        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        await gate.WaitEnteredAsync();

        var stop = s.StopAsync();
        Assert.False(stop.IsCompleted);
        Assert.Equal(0, s.Pump());
        gate.Release();
        await stop.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(JobOutcome.Succeeded, s.GetJob("a")!.LastOutcome);
        Assert.Throws<ObjectDisposedException>(() => s.AddOrUpdate("b", Schedule.Startup, _runs.Action));
        await s.DisposeAsync();
    }

    [Fact]
    public async Task StopAsync_JobOutlivesTimeout_CancelsItRecordsCancelledAndDropsQueuedRuns()
    {
        var s = SchedulerTestExtensions.CreateSoft(_clock, _events, o =>
        {
            o.ShutdownTimeout = TimeSpan.FromSeconds(10);
            o.MaxConcurrentRuns = 1;
        });
        var gate = new Gate();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), gate.Action);
        s.AddOrUpdate("b", Schedule.Every(TimeSpan.FromMinutes(1)), gate.Action);
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, s.Pump());
        await gate.WaitEnteredAsync();

        var stop = s.StopAsync();
        _clock.Advance(TimeSpan.FromSeconds(10));
        await stop.WaitAsync(TimeSpan.FromSeconds(30));

        var jobs = s.GetJobs();
        Assert.Equal(1, jobs.Count(j => j.LastOutcome == JobOutcome.Cancelled));
        Assert.Equal(1, jobs.Sum(j => j.SkipCount));
        Assert.Contains(_events.Events, e => e.Kind == JobEventKind.Skipped && e.SkipReason == SkipReason.Shutdown);
        Assert.Contains(_events.Events, e => e.Kind == JobEventKind.Cancelled);
        await s.DisposeAsync();
    }
}
