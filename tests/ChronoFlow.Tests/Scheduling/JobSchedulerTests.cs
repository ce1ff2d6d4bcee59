using ChronoFlow.Testing;

namespace ChronoFlow.Tests.Scheduling;

public partial class JobSchedulerTests
{
    private static readonly DateTimeOffset T0 = TestClock.Epoch;
    private readonly TestClock _clock = new();
    private readonly EventRecorder _events = new();
    private readonly RunRecorder _runs = new();

    private JobScheduler Soft(Action<SchedulerOptions>? configure = null) => SchedulerTestExtensions.CreateSoft(_clock, _events, configure);

    [Fact]
    public async Task Pump_NothingDue_StartsNothing()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action);

        _clock.Advance(TimeSpan.FromSeconds(59));

        Assert.Equal(0, await s.PumpAndWaitAsync());
        Assert.Empty(_runs.Runs);
    }

    [Fact]
    public async Task Pump_IntervalJob_RunsEachOccurrenceOnTheTick()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action);

        for (var i = 1; i <= 5; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(1, await s.PumpAndWaitAsync());
            Assert.Equal(0, await s.PumpAndWaitAsync());
        }

        Assert.Equal(Enumerable.Range(1, 5).Select(i => T0.AddMinutes(i)), _runs.ScheduledTimes("a"));
        Assert.All(_runs.Runs, r => Assert.Equal(r.ScheduledTime, r.StartedTime));
        var job = s.GetJob("a")!;
        Assert.Equal(5, job.SuccessCount);
        Assert.Equal(T0.AddMinutes(6), job.NextRun);
        Assert.Equal(T0.AddMinutes(5), job.LastScheduledTime);
        Assert.Equal(JobOutcome.Succeeded, job.LastOutcome);
    }

    [Fact]
    public async Task Pump_CronJob_RunsAtCronOccurrences()
    {
        await using var s = Soft();
        s.AddOrUpdate("c", Schedule.Cron("*/15 * * * *"), _runs.Action);

        for (var i = 0; i < 8; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(5));
            await s.PumpAndWaitAsync();
        }

        Assert.Equal([T0.AddMinutes(15), T0.AddMinutes(30)], _runs.ScheduledTimes("c"));
    }

    [Fact]
    public async Task Pump_SixFieldCron_RunsEverySecondField()
    {
        await using var s = Soft();
        s.AddOrUpdate("c", Schedule.Cron("*/20 * * * * *"), _runs.Action);

        for (var i = 0; i < 60; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await s.PumpAndWaitAsync();
        }

        Assert.Equal([T0.AddSeconds(20), T0.AddSeconds(40), T0.AddSeconds(60)], _runs.ScheduledTimes("c"));
    }

    [Fact]
    public async Task Pump_MisfireSkip_DropsOccurrencesPastGraceAndRunsTheOnTimeOne()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action,
            new JobOptions { Misfire = MisfirePolicy.Skip, MisfireGracePeriod = TimeSpan.FromSeconds(10) });

        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await s.PumpAndWaitAsync());

        Assert.Equal([T0.AddMinutes(5)], _runs.ScheduledTimes("a"));
        var job = s.GetJob("a")!;
        Assert.Equal(4, job.MisfireCount);
        Assert.Equal(T0.AddMinutes(6), job.NextRun);
        var missed = Assert.Single(_events.Events, e => e.Kind == JobEventKind.Missed);
        Assert.Equal(4, missed.Count);
        Assert.Equal(T0.AddMinutes(1), missed.ScheduledTime);
        Assert.Equal(SkipReason.Misfired, missed.SkipReason);
    }

    [Fact]
    public async Task Pump_MisfireSkip_AllLate_RunsNothingAndCountsEach()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action,
            new JobOptions { Misfire = MisfirePolicy.Skip, MisfireGracePeriod = TimeSpan.FromSeconds(10) });

        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30));
        Assert.Equal(0, await s.PumpAndWaitAsync());

        Assert.Empty(_runs.Runs);
        Assert.Equal(5, s.GetJob("a")!.MisfireCount);
        Assert.Equal(T0.AddMinutes(6), s.GetJob("a")!.NextRun);
    }

    [Fact]
    public async Task Pump_MisfireRunOnce_CoalescesMissedIntoOneRun()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action,
            new JobOptions { Misfire = MisfirePolicy.RunOnce, MisfireGracePeriod = TimeSpan.FromSeconds(10) });

        _clock.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(30));
        Assert.Equal(1, await s.PumpAndWaitAsync());

        Assert.Equal([T0.AddMinutes(1)], _runs.ScheduledTimes("a"));
        Assert.Equal(5, s.GetJob("a")!.MisfireCount);
        Assert.Equal(T0.AddMinutes(6), s.GetJob("a")!.NextRun);
    }

    [Fact]
    public async Task Pump_MisfireRunAll_RunsEveryMissedOccurrenceInOrderWithItsOwnTime()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action,
            new JobOptions { Misfire = MisfirePolicy.RunAll, MisfireGracePeriod = TimeSpan.FromSeconds(10) });

        _clock.Advance(TimeSpan.FromMinutes(5));
        await s.PumpAndWaitAsync();

        Assert.Equal(Enumerable.Range(1, 5).Select(i => T0.AddMinutes(i)), _runs.ScheduledTimes("a"));
        Assert.Equal(4, s.GetJob("a")!.MisfireCount);
        Assert.Equal(5, s.GetJob("a")!.SuccessCount);
    }

    [Fact]
    public async Task Pump_JobStillRunning_SkipsOverlappingRunAndCountsIt()
    {
        await using var s = Soft();
        var gate = new Gate();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), gate.Action);

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, s.Pump());
        await gate.WaitEnteredAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, s.Pump());

        Assert.Equal(1, s.GetJob("a")!.SkipCount);
        Assert.Equal(JobStatus.Running, s.GetJob("a")!.Status);
        var skipped = Assert.Single(_events.Events, e => e.Kind == JobEventKind.Skipped);
        Assert.Equal(SkipReason.Busy, skipped.SkipReason);
        Assert.Equal(T0.AddMinutes(2), skipped.ScheduledTime);
        gate.Release();
        await s.IdleAsync();
        Assert.Equal(1, gate.Entries);
        Assert.Equal(T0.AddMinutes(3), s.GetJob("a")!.NextRun);
    }

    [Fact]
    public async Task Pump_OverlapWait_StartsWaitingRunWhenThePreviousEnds()
    {
        await using var s = Soft();
        var gate = new Gate();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), gate.Action, new JobOptions { Overlap = OverlapPolicy.Wait });

        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        await gate.WaitEnteredAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, s.Pump());
        Assert.Equal(1, gate.Entries);

        gate.Release();
        await s.IdleAsync();

        Assert.Equal(2, gate.Entries);
        Assert.Equal(0, s.GetJob("a")!.SkipCount);
        Assert.Equal(2, s.GetJob("a")!.SuccessCount);
    }

    [Fact]
    public async Task Pump_MaxConcurrencyTwo_AllowsTwoRunsOfOneJob()
    {
        await using var s = Soft();
        var gate = new Gate();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), gate.Action, new JobOptions { MaxConcurrency = 2 });

        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        await gate.WaitEnteredAsync(2);
        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();

        Assert.Equal(2, s.GetJob("a")!.InFlight);
        Assert.Equal(1, s.GetJob("a")!.SkipCount);
        gate.Release();
        await s.IdleAsync();
    }

    [Fact]
    public async Task Pump_GlobalLimit_QueuesRunsBeyondItAndStartsThemWhenSlotsFree()
    {
        await using var s = Soft(o => o.MaxConcurrentRuns = 2);
        var gate = new Gate();
        for (var i = 0; i < 3; i++)
        {
            s.AddOrUpdate("j" + i, Schedule.Every(TimeSpan.FromMinutes(1)), gate.Action);
        }

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(3, s.Pump());
        await gate.WaitEnteredAsync(2);

        var status = s.GetStatus();
        Assert.Equal(2, status.RunningCount);
        Assert.Equal(1, status.QueueLength);
        Assert.Equal(2, gate.Entries);

        gate.Release();
        await s.IdleAsync();
        Assert.Equal(3, gate.Entries);
        Assert.Equal(0, s.GetStatus().QueueLength);
    }

    [Fact]
    public async Task Pump_QueueFull_RejectsAndCountsTheRun()
    {
        await using var s = Soft(o =>
        {
            o.MaxConcurrentRuns = 1;
            o.QueueCapacity = 1;
        });
        var gate = new Gate();
        for (var i = 0; i < 3; i++)
        {
            s.AddOrUpdate("j" + i, Schedule.Every(TimeSpan.FromMinutes(1)), gate.Action);
        }

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, s.Pump());

        Assert.Equal(1, s.GetJobs().Sum(j => j.RejectedCount));
        var rejected = Assert.Single(_events.Events, e => e.Kind == JobEventKind.Skipped);
        Assert.Equal(SkipReason.QueueFull, rejected.SkipReason);
        gate.Release();
        await s.IdleAsync();
        Assert.Equal(2, gate.Entries);
    }

    [Fact]
    public async Task Pump_RunTakesTooLong_CancelsAtTimeoutOnTheClockAndRecordsTimedOut()
    {
        await using var s = Soft();
        var entered = new TaskCompletionSource();
        s.AddOrUpdate("slow", Schedule.Every(TimeSpan.FromMinutes(1)), async (_, ct) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }, new JobOptions { Timeout = TimeSpan.FromSeconds(10) });

        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _clock.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(JobStatus.Running, s.GetJob("slow")!.Status);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await s.IdleAsync();

        var job = s.GetJob("slow")!;
        Assert.Equal(JobOutcome.TimedOut, job.LastOutcome);
        Assert.Equal(1, job.TimeoutCount);
        Assert.Equal(1, job.FailureCount);
        Assert.Equal(TimeSpan.FromSeconds(10), job.LastDuration);
        Assert.Single(_events.Events, e => e.Kind == JobEventKind.TimedOut);
    }

    [Fact]
    public async Task Pump_JobThrows_RecordsFailureAndKeepsSchedulingItAndOthers()
    {
        await using var s = Soft();
        s.AddOrUpdate("bad", Schedule.Every(TimeSpan.FromMinutes(1)), (_, _) => throw new InvalidOperationException("boom"));
        s.AddOrUpdate("bad-async", Schedule.Every(TimeSpan.FromMinutes(1)), async (_, _) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("async boom");
        });
        s.AddOrUpdate("good", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action);

        for (var i = 0; i < 2; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            Assert.Equal(3, await s.PumpAndWaitAsync());
        }

        Assert.Equal(2, s.GetJob("bad")!.FailureCount);
        Assert.Equal("boom", s.GetJob("bad")!.LastError);
        Assert.Equal(2, s.GetJob("bad-async")!.FailureCount);
        Assert.Equal(2, s.GetJob("good")!.SuccessCount);
        Assert.Equal(["bad", "bad-async"], s.GetStatus().FailingJobs);
        var failed = _events.Events.First(e => e.Kind == JobEventKind.Failed);
        Assert.IsType<InvalidOperationException>(failed.Exception);
    }

    [Fact]
    public async Task Pump_StartupJob_RunsOnceOnFirstPump()
    {
        await using var s = Soft();
        _clock.Advance(TimeSpan.FromHours(2));
        s.AddOrUpdate("boot", Schedule.Startup, _runs.Action);

        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, await s.PumpAndWaitAsync());
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await s.PumpAndWaitAsync());

        Assert.Single(_runs.Runs);
        Assert.Equal(0, s.GetJob("boot")!.MisfireCount);
        Assert.Equal(JobStatus.Completed, s.GetJob("boot")!.Status);
    }

    [Fact]
    public async Task Pump_OnceInThePastBeyondGraceUnderSkip_IsCountedAsMissedAndCompletes()
    {
        await using var s = Soft();
        s.AddOrUpdate("late", Schedule.Once(T0.AddHours(-1)), _runs.Action, new JobOptions { Misfire = MisfirePolicy.Skip });
        s.AddOrUpdate("soon", Schedule.Once(T0.AddSeconds(30)), _runs.Action);

        _clock.Advance(TimeSpan.FromSeconds(30));
        await s.PumpAndWaitAsync();

        Assert.Equal([T0.AddSeconds(30)], _runs.ScheduledTimes("soon"));
        Assert.Empty(_runs.ScheduledTimes("late"));
        Assert.Equal(1, s.GetJob("late")!.MisfireCount);
        Assert.Equal(JobStatus.Completed, s.GetJob("late")!.Status);
        Assert.Equal(JobStatus.Completed, s.GetJob("soon")!.Status);
        Assert.Null(s.GetJob("soon")!.NextRun);
    }

    [Fact]
    public async Task Pump_OnceInThePastUnderRunOnce_RunsOnce()
    {
        await using var s = Soft();
        s.AddOrUpdate("late", Schedule.Once(T0.AddHours(-1)), _runs.Action);

        Assert.Equal(1, await s.PumpAndWaitAsync());
        Assert.Equal([T0.AddHours(-1)], _runs.ScheduledTimes("late"));
    }
}
