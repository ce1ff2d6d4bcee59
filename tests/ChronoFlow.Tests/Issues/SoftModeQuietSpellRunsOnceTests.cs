using ChronoFlow.Testing;
using Microsoft.Extensions.Logging;

namespace ChronoFlow.Tests.Issues;

/// <summary>
/// In soft mode after a quiet spell (no requests for 24 s), a job due twice within its grace period ran the older
/// occurrence and then logged the newer one as "skipped: Busy", a warning in normal operation. Under RunOnce what is
/// due at one pump is one run, with the others counted as coalesced; RunAll still runs each.
/// </summary>
public sealed class SoftModeQuietSpellRunsOnceTests
{
    private readonly TestClock _clock = new();
    private readonly EventRecorder _events = new();
    private readonly RunRecorder _runs = new();
    private readonly CapturingLoggerFactory _logs = new();

    [Fact]
    public async Task Pump_AfterAQuietSpellUnderRunOnce_RunsOnceAndCountsTheRestCoalesced()
    {
        await using var s = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft, EventListeners = { _events } }, _clock, _logs);
        s.AddOrUpdate("tick", Schedule.Every(TimeSpan.FromSeconds(10)), _runs.Action);

        _clock.Advance(TimeSpan.FromSeconds(24));
        Assert.Equal(1, await s.PumpAndWaitAsync());

        Assert.Equal([TestClock.Epoch.AddSeconds(10)], _runs.ScheduledTimes("tick"));
        var job = s.GetJob("tick")!;
        Assert.Equal((1L, 1L, 0L, 0L), (job.RunCount, job.CoalescedCount, job.SkipCount, job.MisfireCount));
        Assert.Equal(TestClock.Epoch.AddSeconds(30), job.NextRun);
        Assert.DoesNotContain(_events.Events, e => e.Kind == JobEventKind.Skipped && e.SkipReason == SkipReason.Busy);
        Assert.DoesNotContain(_logs.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task Pump_AfterAQuietSpellUnderRunAll_RunsEachOccurrence()
    {
        await using var s = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft }, _clock, _logs);
        s.AddOrUpdate("tick", Schedule.Every(TimeSpan.FromSeconds(10)), _runs.Action, new JobOptions { Misfire = MisfirePolicy.RunAll });

        _clock.Advance(TimeSpan.FromSeconds(24));
        s.Pump();
        await s.IdleAsync();

        Assert.Equal([TestClock.Epoch.AddSeconds(10), TestClock.Epoch.AddSeconds(20)], _runs.ScheduledTimes("tick"));
        Assert.Equal(0, s.GetJob("tick")!.CoalescedCount);
    }
}
