using ChronoFlow.Testing;

namespace ChronoFlow.Tests.Scheduling;

public partial class JobSchedulerTests
{
    [Fact]
    public async Task AddOrUpdate_ExistingJob_KeepsHistoryAndNextRunWhenScheduleMeansTheSame()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action, new JobOptions { Description = "old" });
        _clock.Advance(TimeSpan.FromMinutes(1));
        await s.PumpAndWaitAsync();
        _clock.Advance(TimeSpan.FromSeconds(30));

        var other = new RunRecorder();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), other.Action, new JobOptions { Description = "new" });

        var job = s.GetJob("a")!;
        Assert.Equal(1, job.SuccessCount);
        Assert.Equal("new", job.Description);
        Assert.Equal(T0.AddMinutes(2), job.NextRun);
        _clock.Advance(TimeSpan.FromSeconds(30));
        await s.PumpAndWaitAsync();
        Assert.Equal([T0.AddMinutes(2)], other.ScheduledTimes("a"));
        Assert.Equal(2, s.GetJob("a")!.SuccessCount);
    }

    [Fact]
    public async Task AddOrUpdate_NewSchedule_RecomputesNextRunAndKeepsCounts()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await s.PumpAndWaitAsync();

        s.AddOrUpdate("a", Schedule.Cron("0 * * * *"), _runs.Action);

        var job = s.GetJob("a")!;
        Assert.Equal(T0.AddHours(1), job.NextRun);
        Assert.Equal("0 * * * *", job.ScheduleText);
        Assert.Equal(1, job.RunCount);
        Assert.Single(s.GetJobs());
    }

    [Fact]
    public async Task AddOrUpdate_Disabled_IsKeptButNotScheduledAndCanBeTriggered()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action, new JobOptions { Enabled = false });

        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(0, await s.PumpAndWaitAsync());
        Assert.Equal(JobStatus.Disabled, s.GetJob("a")!.Status);
        Assert.Null(s.GetJob("a")!.NextRun);

        Assert.True(s.Trigger("a"));
        await s.IdleAsync();
        var run = Assert.Single(_runs.Runs);
        Assert.True(run.IsTriggered);
        Assert.Equal(T0.AddMinutes(5), run.ScheduledTime);
    }

    [Fact]
    public async Task AddOrUpdate_BadArguments_ThrowNamingTheProblem()
    {
        await using var s = Soft();
        Assert.Throws<ArgumentException>(() => s.AddOrUpdate(" ", Schedule.Startup, _runs.Action));
        Assert.Throws<ArgumentNullException>(() => s.AddOrUpdate("a", null!, _runs.Action));
        var ex = Assert.Throws<ArgumentException>(() => s.AddOrUpdate("a", Schedule.Startup, _runs.Action, new JobOptions { MaxConcurrency = 0 }));
        Assert.Contains("'a'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxConcurrency", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => s.AddOrUpdate("b", Schedule.Startup, _runs.Action, new JobOptions { Retry = new RetryPolicy { MaxAttempts = 0 } }));
        Assert.Contains("MaxAttempts", ex.Message, StringComparison.Ordinal);
        Assert.Empty(s.GetJobs());
    }

    [Fact]
    public async Task Remove_Job_StopsSchedulingIt()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action);

        Assert.True(s.Remove("a"));
        Assert.False(s.Remove("a"));
        _clock.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(0, await s.PumpAndWaitAsync());
        Assert.Null(s.GetJob("a"));
        Assert.False(s.Trigger("a"));
    }

    [Fact]
    public async Task PauseResume_Job_SkipsThePausedPeriodAndContinues()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action);
        Assert.True(s.Pause("a"));
        Assert.Equal(JobStatus.Paused, s.GetJob("a")!.Status);

        _clock.Advance(TimeSpan.FromMinutes(3) + TimeSpan.FromSeconds(30));
        Assert.Equal(0, await s.PumpAndWaitAsync());
        Assert.True(s.Resume("a"));
        Assert.Equal(T0.AddMinutes(4), s.GetJob("a")!.NextRun);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, await s.PumpAndWaitAsync());

        Assert.Equal([T0.AddMinutes(4)], _runs.ScheduledTimes("a"));
        Assert.Equal(0, s.GetJob("a")!.MisfireCount);
        Assert.False(s.Pause("missing"));
        Assert.False(s.Resume("missing"));
    }

    [Fact]
    public async Task Trigger_BusyJob_IsSkippedAndCounted()
    {
        await using var s = Soft();
        var gate = new Gate();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromHours(1)), gate.Action);

        Assert.True(s.Trigger("a"));
        await gate.WaitEnteredAsync();
        Assert.False(s.Trigger("a"));

        Assert.Equal(1, s.GetJob("a")!.SkipCount);
        gate.Release();
        await s.IdleAsync();
        Assert.Equal(1, s.GetJob("a")!.SuccessCount);
        Assert.Equal(T0.AddHours(1), s.GetJob("a")!.NextRun);
    }

    [Fact]
    public async Task GetJobs_SeveralJobs_ReturnsSnapshotsOrderedById()
    {
        await using var s = Soft();
        s.AddOrUpdate("b", Schedule.Parse("@hourly"), _runs.Action, new JobOptions { Description = "hourly", LockKey = "k" });
        s.AddOrUpdate("a", Schedule.Parse("2030-01-02T00:00:00Z"), _runs.Action);
        s.AddOrUpdate("c", Schedule.Parse("@reboot"), _runs.Action);

        var jobs = s.GetJobs();

        Assert.Equal(["a", "b", "c"], jobs.Select(j => j.Id));
        Assert.Equal("2030-01-02T00:00:00Z", jobs[0].ScheduleText);
        Assert.Equal(T0.AddDays(1), jobs[0].NextRun);
        Assert.Equal("hourly", jobs[1].Description);
        Assert.Equal("k", jobs[1].Options.LockKey);
        Assert.Equal(T0.AddHours(1), jobs[1].NextRun);
        Assert.Equal("@reboot", jobs[2].ScheduleText);
        Assert.Equal(T0, s.GetStatus().NextDue);
        Assert.Equal(3, s.GetStatus().JobCount);
    }

    [Fact]
    public async Task AddOrUpdate_HashedCron_SpreadsJobsByIdAndIsStablePerId()
    {
        await using var s = Soft();
        for (var i = 0; i < 20; i++)
        {
            s.AddOrUpdate("job-" + i, Schedule.Cron("H * * * *"), _runs.Action);
        }

        var minutes = s.GetJobs().Select(j => j.NextRun!.Value.Minute).ToList();
        Assert.True(minutes.Distinct().Count() > 5, string.Join(",", minutes));
        s.AddOrUpdate("job-0", Schedule.Cron("H * * * *"), _runs.Action);
        Assert.Equal(minutes[0], s.GetJob("job-0")!.NextRun!.Value.Minute);
    }
}
