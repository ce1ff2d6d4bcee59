using ChronoFlow.Testing;

namespace ChronoFlow.Tests.Scheduling;

public partial class JobSchedulerTests
{
    [Fact]
    public async Task Pump_ZonedCronAcrossFallBackAndSpringForward_RunsOncePerLocalDay()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        _clock.Advance(new DateTimeOffset(2030, 3, 9, 12, 0, 0, TimeSpan.Zero) - _clock.GetUtcNow());
        await using var s = Soft();
        s.AddOrUpdate("fixed", Schedule.Cron("30 1 * * *", zone), _runs.Action);
        s.AddOrUpdate("skipped-hour", Schedule.Cron("30 2 * * *", zone), _runs.Action);

        // Through spring forward (2030-03-10) and, later, fall back (2030-11-03), pumping every 10 minutes.
        for (var i = 0; i < 3 * 144; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(10));
            await s.PumpAndWaitAsync();
        }

        _clock.Advance(new DateTimeOffset(2030, 11, 2, 12, 0, 0, TimeSpan.Zero) - _clock.GetUtcNow());
        s.AddOrUpdate("fixed", Schedule.Cron("30 1 * * *", zone), _runs.Action);
        await s.PumpAndWaitAsync();
        for (var i = 0; i < 3 * 144; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(10));
            await s.PumpAndWaitAsync();
        }

        // 02:30 does not exist on 2030-03-10: it runs once, at the jump (07:00 UTC).
        Assert.Contains(new DateTimeOffset(2030, 3, 10, 7, 0, 0, TimeSpan.Zero), _runs.ScheduledTimes("skipped-hour"));
        var fixedRuns = _runs.ScheduledTimes("fixed").ToList();
        Assert.Equal(fixedRuns.Distinct(), fixedRuns);

        // 01:30 happens twice on 2030-11-03; a fixed-time job runs once, in the first pass (05:30 UTC).
        var fallBackDay = fixedRuns.Where(t => TimeZoneInfo.ConvertTime(t, zone).Date == new DateTime(2030, 11, 3)).ToList();
        Assert.Equal([new DateTimeOffset(2030, 11, 3, 5, 30, 0, TimeSpan.Zero)], fallBackDay);
    }
}
