using ChronoFlow.Hosting;
using ChronoFlow.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ChronoFlow.Hosting.Tests;

public sealed class ChronoFlowServiceCollectionExtensionsTests
{
    private static readonly DateTimeOffset T0 = TestClock.Epoch;
    private readonly TestClock _clock = new();

    [Fact]
    public void AddChronoFlow_CalledTwice_RegistersThePlumbingOnce()
    {
        var services = new ServiceCollection();
        services.AddChronoFlow();
        var count = services.Count;

        services.AddChronoFlow();
        services.AddChronoFlow();

        Assert.Equal(count, services.Count);
        Assert.Single(services, d => d.ServiceType == typeof(JobScheduler));
        Assert.Single(services, d => d.ServiceType == typeof(IHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<SchedulerOptions>));
    }

    [Fact]
    public void AddJob_SameIdTwice_ThrowsNamingTheId()
    {
        var services = new ServiceCollection();
        services.AddChronoFlow().AddJob<ProbeJob>("report", "0 1 * * *");

        var ex = Assert.Throws<ArgumentException>(() => services.AddChronoFlow().AddJob("report", Schedule.Startup, (_, _) => ValueTask.CompletedTask));

        Assert.Equal("jobId", ex.ParamName);
        Assert.StartsWith("A job with id \"report\" is already registered (ChronoFlow.Testing.ProbeJob); job ids must be unique.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddJob_MalformedScheduleText_ThrowsAtRegistrationWithThePosition()
    {
        var builder = new ServiceCollection().AddChronoFlow();

        var ex = Assert.Throws<CronFormatException>(() => builder.AddJob<ProbeJob>("a", "61 * * * *"));

        Assert.Equal(0, ex.Position);
    }

    [Fact]
    public async Task DiJob_EachRun_GetsItsOwnScopeDisposedAfterTheRun()
    {
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob<ProbeJob>("probe", Schedule.Every(TimeSpan.FromMinutes(1))),
            TestHost.Config(("ChronoFlow:Mode", "Soft")),
            services => services.AddScoped<ScopeProbe>().AddSingleton<JobLog>());
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<JobScheduler>();

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await scheduler.PumpAndWaitAsync());
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await scheduler.PumpAndWaitAsync());
        await host.StopAsync();

        var runs = host.Services.GetRequiredService<JobLog>().Runs;
        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(2)], runs.Select(r => r.Scheduled));
        Assert.NotEqual(runs[0].JobInstance, runs[1].JobInstance);
        Assert.NotSame(runs[0].Probe, runs[1].Probe);
        Assert.All(runs, r => Assert.True(r.Probe.Disposed, "the run's scope was not disposed"));
    }

    [Fact]
    public async Task ScopedDelegate_GetsAScopedProvider()
    {
        var probes = new List<ScopeProbe>();
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob("d", Schedule.Every(TimeSpan.FromMinutes(1)), (services, _, _) =>
            {
                var probe = services.GetRequiredService<ScopeProbe>();
                Assert.Same(probe, services.GetRequiredService<ScopeProbe>());
                lock (probes)
                {
                    probes.Add(probe);
                }

                return ValueTask.CompletedTask;
            }),
            TestHost.Config(("ChronoFlow:Mode", "Soft")),
            services => services.AddScoped<ScopeProbe>());
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<JobScheduler>();

        for (var i = 0; i < 2; i++)
        {
            _clock.Advance(TimeSpan.FromMinutes(1));
            await scheduler.PumpAndWaitAsync();
        }

        Assert.Equal(2, probes.Count);
        Assert.NotSame(probes[0], probes[1]);
        Assert.All(probes, p => Assert.True(p.Disposed));
    }

    [Fact]
    public async Task Configuration_SetsSchedulerOptionsOverCode()
    {
        using var host = TestHost.Build(
            _clock,
            _ => { },
            TestHost.Config(
                ("ChronoFlow:Mode", "soft"),
                ("ChronoFlow:MaxConcurrentRuns", "7"),
                ("ChronoFlow:QueueCapacity", "50"),
                ("ChronoFlow:ShutdownTimeout", "PT45S"),
                ("ChronoFlow:SoftModeFallbackInterval", "00:00:30")));

        await host.StartAsync();
        var options = host.Services.GetRequiredService<IOptions<SchedulerOptions>>().Value;

        Assert.Equal(SchedulerMode.Soft, host.Services.GetRequiredService<JobScheduler>().Mode);
        Assert.Equal(7, options.MaxConcurrentRuns);
        Assert.Equal(50, options.QueueCapacity);
        Assert.Equal(TimeSpan.FromSeconds(45), options.ShutdownTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.SoftModeFallbackInterval);
        await host.StopAsync();
    }

    [Fact]
    public async Task Configuration_JobSection_OverridesTheCodeScheduleAndOptions()
    {
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob<ProbeJob>("report", "0 1 * * *", o =>
            {
                o.Timeout = TimeSpan.FromMinutes(1);
                o.Description = "from code";
            }),
            TestHost.Config(
                ("ChronoFlow:Mode", "Soft"),
                ("ChronoFlow:Jobs:report:Schedule", "30 2 * * MON-FRI"),
                ("ChronoFlow:Jobs:report:TimeZone", "America/New_York"),
                ("ChronoFlow:Jobs:report:MaxConcurrency", "2"),
                ("ChronoFlow:Jobs:report:Overlap", "Wait"),
                ("ChronoFlow:Jobs:report:Misfire", "RunAll"),
                ("ChronoFlow:Jobs:report:MisfireGracePeriod", "00:05:00"),
                ("ChronoFlow:Jobs:report:Retry:MaxAttempts", "4"),
                ("ChronoFlow:Jobs:report:Retry:BaseDelay", "PT2S"),
                ("ChronoFlow:Jobs:report:LockKey", "reports")),
            services => services.AddScoped<ScopeProbe>().AddSingleton<JobLog>());

        await host.StartAsync();
        var job = host.Services.GetRequiredService<JobScheduler>().GetJob("report")!;

        // 2030-01-01 is a Tuesday; 02:30 in New York (EST, UTC-5) is 07:30 UTC.
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 7, 30, 0, TimeSpan.Zero), job.NextRun);
        Assert.Equal(TimeSpan.FromMinutes(1), job.Options.Timeout);
        Assert.Equal("from code", job.Options.Description);
        Assert.Equal(2, job.Options.MaxConcurrency);
        Assert.Equal(OverlapPolicy.Wait, job.Options.Overlap);
        Assert.Equal(MisfirePolicy.RunAll, job.Options.Misfire);
        Assert.Equal(TimeSpan.FromMinutes(5), job.Options.MisfireGracePeriod);
        Assert.Equal(4, job.Options.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), job.Options.Retry.BaseDelay);
        Assert.Equal("reports", job.Options.LockKey);
        await host.StopAsync();
    }

    [Fact]
    public async Task Configuration_ScheduleForAJobRegisteredWithoutOne_IsUsed()
    {
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob<ProbeJob>("ping"),
            TestHost.Config(("ChronoFlow:Mode", "Soft"), ("ChronoFlow:Jobs:ping:Interval", "PT10S")),
            services => services.AddScoped<ScopeProbe>().AddSingleton<JobLog>());

        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<JobScheduler>();

        Assert.Equal(T0.AddSeconds(10), scheduler.GetJob("ping")!.NextRun);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, await scheduler.PumpAndWaitAsync());
        await host.StopAsync();
    }

    [Fact]
    public async Task Validation_EveryProblem_IsReportedWithItsKeyWhenTheHostStarts()
    {
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob<ProbeJob>("unscheduled").AddJob<ProbeJob>("report", "0 1 * * *"),
            TestHost.Config(
                ("ChronoFlow:Mode", "Medium"),
                ("ChronoFlow:MaxConcurrentRuns", "0"),
                ("ChronoFlow:ShutdownTimeout", "ten seconds"),
                ("ChronoFlow:MaxConcurentRuns", "5"),
                ("ChronoFlow:Jobs:report:Schedule", "0 61 * * *"),
                ("ChronoFlow:Jobs:report:TimeZone", "Mars/Olympus_Mons"),
                ("ChronoFlow:Jobs:report:Retry:Jitter", "2"),
                ("ChronoFlow:Jobs:ghost:Schedule", "@daily")));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            [
                "ChronoFlow:Mode: \"Medium\" is not one of Hard, Soft.",
                "ChronoFlow:MaxConcurrentRuns: 0 is less than the minimum, 1.",
                "ChronoFlow:ShutdownTimeout: \"ten seconds\" is not a duration; expected \"hh:mm:ss\" (such as \"00:10:00\") or ISO 8601 (such as \"PT10M\").",
                "ChronoFlow:MaxConcurentRuns: unknown setting; the settings here are Crontabs, Jobs, JobsDirectory, MaxConcurrentRuns, Mode, QueueCapacity, ShutdownTimeout, SoftModeFallbackInterval.",
                "ChronoFlow:Jobs:unscheduled:Schedule: job \"unscheduled\" (ChronoFlow.Testing.ProbeJob) was registered without a schedule, so configuration must give one (a cron expression, a macro or an ISO 8601 instant), or an Interval.",
                "ChronoFlow:Jobs:report:TimeZone: \"Mars/Olympus_Mons\" is not a time zone on this machine; use an IANA id such as \"Europe/London\".",
                "ChronoFlow:Jobs:report:Schedule: \"0 61 * * *\": " + Assert.Throws<CronFormatException>(() => CronExpression.Parse("0 61 * * *")).Message + ".",
                "ChronoFlow:Jobs:report:Retry:MaxAttempts: is required when Retry is configured: the number of attempts in all, the first included (1 means no retry).",
                "ChronoFlow:Jobs:report:Retry:Jitter: \"2\" is not a number from 0 to 1.",
                "ChronoFlow:Jobs:ghost: no job with id \"ghost\" is registered; configuration can schedule and tune a job, and code defines what it runs, with AddChronoFlow().AddJob<TJob>(\"ghost\").",
            ],
            ex.Failures);
    }

    [Fact]
    public async Task Validation_JobFileKeysWithoutAJobSource_SayWhichPackageReadsThem()
    {
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob<ProbeJob>("report", "0 1 * * *"),
            TestHost.Config(("ChronoFlow:JobsDirectory", "/etc/chronoflow/jobs.d"), ("ChronoFlow:Crontabs:0", "/etc/crontab")));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            [
                "ChronoFlow:JobsDirectory: is read by the ChronoFlow.Files package; add the package and call AddJobFiles() on the builder that AddChronoFlow() returns.",
                "ChronoFlow:Crontabs: is read by the ChronoFlow.Files package; add the package and call AddJobFiles() on the builder that AddChronoFlow() returns.",
            ],
            ex.Failures);
    }

    [Fact]
    public async Task Validation_BadCodeOptions_AreReportedWhenTheHostStarts()
    {
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob("a", Schedule.Startup, (_, _) => ValueTask.CompletedTask, o => o.MaxConcurrency = 0),
            services: s => s.Configure<SchedulerOptions>(o => o.QueueCapacity = 0));

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(
            ["Job 'a': MaxConcurrency must be at least 1, not 0.", "SchedulerOptions.QueueCapacity must be at least 1, not 0."],
            ex.Failures);
    }

    [Fact]
    public void Scheduler_ResolvedWithoutAHost_StillRefusesABrokenSetup()
    {
        var services = new ServiceCollection();
        services.AddChronoFlow().AddJob<ProbeJob>("unscheduled");
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<JobScheduler>());

        Assert.Contains("job \"unscheduled\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventListenerInTheContainer_ReceivesEvents()
    {
        var events = new EventRecorder();
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob("a", Schedule.Every(TimeSpan.FromMinutes(1)), (_, _) => ValueTask.CompletedTask),
            TestHost.Config(("ChronoFlow:Mode", "Soft")),
            services => services.AddSingleton<IJobEventListener>(events));
        await host.StartAsync();

        _clock.Advance(TimeSpan.FromMinutes(1));
        await host.Services.GetRequiredService<JobScheduler>().PumpAndWaitAsync();

        Assert.Equal(1, events.Count(JobEventKind.Succeeded));
        await host.StopAsync();
    }
}
