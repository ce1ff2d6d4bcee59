using ChronoFlow.Hosting;
using ChronoFlow.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace ChronoFlow.Hosting.Tests;

public sealed class ChronoFlowHostedServiceTests
{
    private static readonly DateTimeOffset T0 = TestClock.Epoch;
    private readonly TestClock _clock = new();
    private readonly RunRecorder _runs = new();

    [Fact]
    public async Task HardMode_HostStart_RunsJobsOnTheTimerAndHostStopStopsThem()
    {
        using var host = TestHost.Build(_clock, jobs => jobs.AddJob("tick", Schedule.Cron("*/10 * * * * *"), _runs.Action));
        var scheduler = host.Services.GetRequiredService<JobScheduler>();

        _clock.Advance(TimeSpan.FromSeconds(10));
        await scheduler.IdleAsync();
        Assert.Empty(_runs.Runs);

        // Starting pumps the overdue T0+10s run from the thread pool: let it finish before the clock moves on, or the
        // T0+20s run could find it still running and be skipped as busy.
        await host.StartAsync();
        await scheduler.IdleAsync();
        Assert.True(scheduler.GetStatus().IsRunning);
        for (var i = 0; i < 3; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(10));
            await scheduler.IdleAsync();
        }

        await host.StopAsync();
        Assert.False(scheduler.GetStatus().IsRunning);
        _clock.Advance(TimeSpan.FromSeconds(10));
        await scheduler.IdleAsync();

        // Registered at T0; nothing ran before the host started, then the due T0+10s run and each later one ran once.
        Assert.Equal([T0.AddSeconds(10), T0.AddSeconds(20), T0.AddSeconds(30), T0.AddSeconds(40)], _runs.ScheduledTimes("tick"));
    }

    [Fact]
    public async Task StartupJob_RunsOnlyAfterTheHostHasStarted()
    {
        var startedBeforeRun = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        IHostApplicationLifetime? lifetime = null;
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob("warmup", Schedule.Startup, (_, _) =>
            {
                startedBeforeRun.TrySetResult(lifetime!.ApplicationStarted.IsCancellationRequested);
                return ValueTask.CompletedTask;
            }),
            services: s => s.AddHostedService<SlowStartingService>());
        lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        var scheduler = host.Services.GetRequiredService<JobScheduler>();
        Assert.Null(scheduler.GetJob("warmup"));

        await host.StartAsync();

        Assert.True(await startedBeforeRun.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        await scheduler.IdleAsync();
        Assert.Equal(1, scheduler.GetJob("warmup")!.SuccessCount);
        await host.StopAsync();
    }

    [Fact]
    public async Task HostStart_LogsTheJobsIncludingStartupJobsStillToCome()
    {
        var logs = new CapturingLoggerFactory();
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob("warmup", Schedule.Startup, _runs.Action).AddJob("scoped", "*/5 * * * *", (_, _, _) => ValueTask.CompletedTask),
            TestHost.Config(("ChronoFlow:Mode", "Soft")),
            services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(logs));

        await host.StartAsync();
        await host.StopAsync();

        Assert.Contains(logs.Entries, e => e.EventId.Id == 600
            && e.Message == "ChronoFlow started with the host in Soft mode: 2 jobs (1 to run once the host has started), 0 job sources");
    }

    [Fact]
    public async Task SoftMode_NothingRunsUntilPumped()
    {
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action),
            TestHost.Config(("ChronoFlow:Mode", "Soft")));
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<JobScheduler>();

        _clock.Advance(TimeSpan.FromMinutes(3));
        await scheduler.IdleAsync();
        Assert.Empty(_runs.Runs);

        // After a quiet spell the misfire policy decides: RunOnce runs once for every occurrence due by now, and counts
        // the one later than the grace period (1 minute) as a misfire.
        Assert.Equal(1, await scheduler.PumpAndWaitAsync());
        Assert.Equal([T0.AddMinutes(1)], _runs.ScheduledTimes("a"));
        Assert.Equal(1, scheduler.GetJob("a")!.MisfireCount);
        Assert.Equal(T0.AddMinutes(4), scheduler.GetJob("a")!.NextRun);
        await host.StopAsync();
    }

    [Fact]
    public async Task SoftMode_FallbackIntervalFromConfiguration_RunsWithoutPumps()
    {
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action),
            TestHost.Config(("ChronoFlow:Mode", "Soft"), ("ChronoFlow:SoftModeFallbackInterval", "00:00:20")));
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<JobScheduler>();

        for (var i = 0; i < 6; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(20));
            await scheduler.IdleAsync();
        }

        Assert.Equal([T0.AddMinutes(1), T0.AddMinutes(2)], _runs.ScheduledTimes("a"));
        await host.StopAsync();
    }

    [Fact]
    public async Task HostStop_WaitsForARunningJobToFinish()
    {
        var gate = new Gate();
        using var host = await StartWithRunningJobAsync(gate, TimeSpan.FromMinutes(1));

        var stop = host.StopAsync();
        Assert.False(stop.IsCompleted);
        gate.Release();
        await stop.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(JobOutcome.Succeeded, host.Services.GetRequiredService<JobScheduler>().GetJob("gated")!.LastOutcome);
    }

    [Fact]
    public async Task HostStop_AfterTheShutdownTimeout_CancelsTheRunningJob()
    {
        using var host = await StartWithRunningJobAsync(new Gate(), TimeSpan.FromSeconds(5));

        // The host may reach the scheduler's StopAsync after a hop: wait until its shutdown delay is armed on the clock.
        var timers = _clock.TimersCreated;
        var stop = host.StopAsync();
        await _clock.WhenTimersCreatedAsync(timers + 1);
        _clock.Advance(TimeSpan.FromSeconds(5));
        await stop.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(JobOutcome.Cancelled, host.Services.GetRequiredService<JobScheduler>().GetJob("gated")!.LastOutcome);
    }

    [Fact]
    public async Task HealthCheck_ReportsRunningFailingAndStopped()
    {
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob<FailingJob>("broken", Schedule.Every(TimeSpan.FromMinutes(1))).AddJob("fine", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action),
            TestHost.Config(("ChronoFlow:Mode", "Soft")));
        var scheduler = host.Services.GetRequiredService<JobScheduler>();
        var check = new ChronoFlowHealthCheck(scheduler);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("chronoflow", check, HealthStatus.Unhealthy, null) };

        await host.StartAsync();
        var healthy = await check.CheckHealthAsync(context);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();
        var degraded = await check.CheckHealthAsync(context);
        await host.StopAsync();
        var stopped = await check.CheckHealthAsync(context);

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal("The ChronoFlow scheduler is running 2 job(s) in Soft mode.", healthy.Description);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Equal("1 job(s) failed their last run: broken.", degraded.Description);
        Assert.Equal(new[] { "broken" }, (IReadOnlyList<string>)degraded.Data["failingJobs"]);
        Assert.Equal(1L, degraded.Data["failed"]);
        Assert.Equal(1L, degraded.Data["succeeded"]);
        Assert.Equal(T0.AddMinutes(1).ToString("O"), degraded.Data["lastPump"]);
        Assert.Equal(HealthStatus.Unhealthy, stopped.Status);
        Assert.Equal("The ChronoFlow scheduler is not running.", stopped.Description);
    }

    [Fact]
    public async Task HealthCheck_FailingStore_IsDegraded_AndTheStoreFromTheContainerIsUsed()
    {
        var store = new RefusingStore();
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob("fine", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action),
            TestHost.Config(("ChronoFlow:Mode", "Soft")),
            services => services.AddSingleton<IJobStore>(store));
        var scheduler = host.Services.GetRequiredService<JobScheduler>();
        var check = new ChronoFlowHealthCheck(scheduler);
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("chronoflow", check, HealthStatus.Unhealthy, null) };

        await host.StartAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();
        var degraded = await check.CheckHealthAsync(context);
        await host.StopAsync();

        Assert.True(store.Opened);
        Assert.Empty(_runs.Runs);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("The ChronoFlow job store is failing", degraded.Description, StringComparison.Ordinal);
        Assert.Equal("Job store 'test': the disk is full.", degraded.Data["storeError"]);
    }

    /// <summary>A store that opens and then refuses every write.</summary>
    private sealed class RefusingStore : IJobStore
    {
        public bool Opened { get; private set; }

        public ValueTask<IReadOnlyList<JobState>> OpenAsync(string node, CancellationToken cancellationToken)
        {
            Opened = true;
            return new ValueTask<IReadOnlyList<JobState>>([]);
        }

        public ValueTask<StoreWriteResult> WriteAsync(StoreBatch batch, CancellationToken cancellationToken) => throw new JobStoreException("Job store 'test': the disk is full.");

        public ValueTask<IReadOnlyList<RunRecord>> AbandonExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => throw new JobStoreException("Job store 'test': the disk is full.");

        public ValueTask<IReadOnlyList<RunRecord>> GetRunsAsync(string jobId, RunQuery query, CancellationToken cancellationToken) => new([]);

        public ValueTask<StoreSync> SyncAsync(NodeHeartbeat heartbeat, long sinceVersion, CancellationToken cancellationToken) => throw new JobStoreException("Job store 'test': the disk is full.");

        public ValueTask<NodeList> GetNodesAsync(CancellationToken cancellationToken) => throw new JobStoreException("Job store 'test': the disk is full.");
    }

    /// <summary>Starts a hard-mode host whose one job has entered <paramref name="gate"/> and waits there.</summary>
    private async Task<IHost> StartWithRunningJobAsync(Gate gate, TimeSpan shutdownTimeout)
    {
        var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob("gated", Schedule.Every(TimeSpan.FromMinutes(1)), gate.Action),
            services: s => s.Configure<SchedulerOptions>(o => o.ShutdownTimeout = shutdownTimeout));
        await host.StartAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        await gate.WaitEnteredAsync();
        return host;
    }

    /// <summary>A hosted service registered after ChronoFlow, so it starts after the scheduler's hosted service.</summary>
    private sealed class SlowStartingService : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken) => await Task.Yield();

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
