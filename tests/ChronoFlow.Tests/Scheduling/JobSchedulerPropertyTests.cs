using ChronoFlow.Testing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace ChronoFlow.Tests.Scheduling;

/// <summary>A job in a random scenario: a cron expression from a pool, or an interval in seconds.</summary>
public sealed record JobSpec(string? Cron, int IntervalSeconds)
{
    public Schedule ToSchedule() => Cron is null ? Schedule.Every(TimeSpan.FromSeconds(IntervalSeconds)) : Schedule.Cron(Cron);

    public override string ToString() => Cron ?? $"every {IntervalSeconds}s";
}

/// <summary>Random jobs, random gaps between pumps (seconds), a grace period (seconds).</summary>
public sealed record Scenario(JobSpec[] Jobs, int[] PumpGaps, int GraceSeconds)
{
    public override string ToString()
        => $"jobs [{string.Join("; ", Jobs.Select(j => j.ToString()))}], gaps [{string.Join(",", PumpGaps)}], grace {GraceSeconds}s";
}

public static class SchedulerArbitraries
{
    private static readonly string[] s_crons =
    [
        "*/5 * * * *", "0 * * * *", "15 3 * * *", "0 0 * * MON", "30 */2 * * *", "0 12 1,15 * *",
        "H * * * *", "H H * * *", "*/7 9-17 * * 1-5", "0 0 L * *", "59 23 * * *", "*/45 * * * * *", "0 30 */6 * * *",
    ];

    public static Arbitrary<Scenario> Scenario()
    {
        var cron = Gen.Elements(s_crons).Select(c => new JobSpec(c, 0));
        var interval = Gen.Choose(60, 86_400).Select(i => new JobSpec(null, i));
        var job = Gen.Frequency((2, cron), (1, interval));
        var jobs = Gen.Choose(1, 4).SelectMany(n => job.ArrayOf(n));
        var gap = Gen.Frequency((3, Gen.Choose(1, 600)), (2, Gen.Choose(600, 4 * 3600)), (1, Gen.Choose(4 * 3600, 2 * 86_400)));
        var gaps = Gen.Choose(1, 12).SelectMany(n => gap.ArrayOf(n));
        var grace = Gen.Elements(0, 1, 30, 60, 600, 3600);
        return jobs.SelectMany(j => gaps.SelectMany(g => grace.Select(gr => new Scenario(j, g, gr)))).ToArbitrary();
    }
}

public class JobSchedulerPropertyTests
{
    private static readonly TimeSpan Month = TimeSpan.FromDays(30);

    [Property(MaxTest = 30, Arbitrary = [typeof(SchedulerArbitraries)])]
    public void RunAll_RunTimesEqualTheScheduleOccurrences_Meets_Specification(Scenario scenario)
    {
        var (runs, scheduler, end) = Simulate(scenario, MisfirePolicy.RunAll);
        foreach (var job in scheduler.GetJobs())
        {
            var actual = runs.ScheduledTimes(job.Id).ToList();
            var expected = Occurrences(job.Schedule, TestClock.Epoch, end);
            Assert.Equal(expected, actual);
            Assert.Equal(expected.Count, job.SuccessCount);
        }
    }

    [Property(MaxTest = 30, Arbitrary = [typeof(SchedulerArbitraries)])]
    public void Skip_EveryRunIsWithinGraceAndEveryOccurrenceIsAccountedFor_Meets_Specification(Scenario scenario)
    {
        var (runs, scheduler, end) = Simulate(scenario, MisfirePolicy.Skip);
        var grace = TimeSpan.FromSeconds(scenario.GraceSeconds);
        foreach (var job in scheduler.GetJobs())
        {
            var mine = runs.Runs.Where(r => r.JobId == job.Id).ToList();
            Assert.All(mine, r => Assert.InRange(r.StartedTime - r.ScheduledTime, TimeSpan.Zero, grace));
            var times = mine.Select(r => r.ScheduledTime).ToList();
            Assert.Equal(times.Distinct().Count(), times.Count);
            var expected = Occurrences(job.Schedule, TestClock.Epoch, end);
            Assert.Subset(expected.ToHashSet(), times.ToHashSet());

            // Nothing is lost silently: each occurrence ran, misfired or was skipped as busy.
            Assert.Equal(expected.Count, job.RunCount + job.MisfireCount + job.SkipCount);
        }
    }

    private static (RunRecorder Runs, JobScheduler Scheduler, DateTimeOffset End) Simulate(Scenario scenario, MisfirePolicy policy)
    {
        var clock = new TestClock();
        var runs = new RunRecorder();
        var scheduler = SchedulerTestExtensions.CreateSoft(clock);
        var options = new JobOptions { Misfire = policy, MisfireGracePeriod = TimeSpan.FromSeconds(scenario.GraceSeconds) };
        for (var i = 0; i < scenario.Jobs.Length; i++)
        {
            scheduler.AddOrUpdate("job-" + i, scenario.Jobs[i].ToSchedule(), runs.Action, options);
        }

        var end = TestClock.Epoch + Month;
        var k = 0;
        while (clock.GetUtcNow() < end)
        {
            var gap = TimeSpan.FromSeconds(scenario.PumpGaps[k++ % scenario.PumpGaps.Length]);
            clock.Advance(clock.GetUtcNow() + gap > end ? end - clock.GetUtcNow() : gap);
            scheduler.PumpAndWaitAsync().GetAwaiter().GetResult();
        }

        return (runs, scheduler, end);
    }

    private static List<DateTimeOffset> Occurrences(Schedule schedule, DateTimeOffset after, DateTimeOffset until)
    {
        var list = new List<DateTimeOffset>();
        for (var t = schedule.GetNextOccurrence(after); t is { } v && v <= until; t = schedule.GetNextOccurrence(v))
        {
            list.Add(v);
        }

        return list;
    }
}
