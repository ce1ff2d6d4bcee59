using System.Collections.Concurrent;
using ChronoFlow.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

using ChronoFlow.Testing;

namespace ChronoFlow.Hosting.Tests.AspNetCore;

/// <summary>
/// <c>app.UseChronoFlow()</c> in an ASP.NET Core pipeline hosted by <see cref="TestServer"/>, with the scheduler in soft
/// mode on a <see cref="FakeTimeProvider"/> from DI: only requests move the scheduler, and none waits for a job.
/// </summary>
public sealed class ChronoFlowApplicationBuilderExtensionsTests
{
    private static readonly DateTimeOffset s_start = new(2030, 1, 1, 0, 0, 30, TimeSpan.Zero);
    private static readonly DateTimeOffset s_firstDue = new(2030, 1, 1, 0, 1, 0, TimeSpan.Zero);

    // Only a guard against a hang: every wait below completes as soon as its condition holds.
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task UseChronoFlow_RequestAfterDueTime_RunsTheDueJobAfterTheRequestAndNotBefore()
    {
        var runs = new ConcurrentQueue<DateTimeOffset>();
        await using var app = await PumpedApp.StartAsync(jobs => jobs.AddJob("tick", Schedule.Cron("* * * * *"), (context, _) =>
        {
            runs.Enqueue(context.ScheduledTime);
            return ValueTask.CompletedTask;
        }));

        // A request before the job is due pumps and finds nothing to start.
        Assert.Equal("ok", await app.Client.GetStringAsync(new Uri("/", UriKind.Relative)));
        await app.Scheduler.WaitForIdleAsync().WaitAsync(s_guard);
        Assert.Empty(runs);

        // Due now, but nothing has pumped since.
        app.Clock.Advance(s_firstDue - s_start);
        await app.Scheduler.WaitForIdleAsync().WaitAsync(s_guard);
        Assert.Empty(runs);

        Assert.Equal("ok", await app.Client.GetStringAsync(new Uri("/", UriKind.Relative)));
        await app.Scheduler.WaitForIdleAsync().WaitAsync(s_guard);

        Assert.Equal([s_firstDue], runs);
        var job = app.Scheduler.GetJob("tick")!;
        Assert.Equal(1, job.SuccessCount);
        Assert.Equal(s_firstDue.AddMinutes(1), job.NextRun);
    }

    [Fact]
    public async Task UseChronoFlow_NoRequest_RunsNothingHoweverLongTheClockMoves()
    {
        var runs = 0;
        await using var app = await PumpedApp.StartAsync(jobs => jobs.AddJob("tick", Schedule.Cron("* * * * *"), (_, _) =>
        {
            Interlocked.Increment(ref runs);
            return ValueTask.CompletedTask;
        }));

        for (var minute = 0; minute < 10; minute++)
        {
            app.Clock.Advance(TimeSpan.FromMinutes(1));
        }

        await app.Scheduler.WaitForIdleAsync().WaitAsync(s_guard);

        Assert.Equal(0, Volatile.Read(ref runs));
        var job = app.Scheduler.GetJob("tick")!;
        Assert.Equal(0, job.RunCount);
        Assert.Equal(JobStatus.Scheduled, job.Status);
        Assert.Equal(s_firstDue, job.NextRun); // overdue, waiting for the next request
    }

    [Fact]
    public async Task UseChronoFlow_DueJobBlocks_ResponseIsNotDelayed()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var release = new ManualResetEventSlim();
        await using var app = await PumpedApp.StartAsync(jobs => jobs.AddJob("slow", Schedule.Cron("* * * * *"), (_, _) =>
        {
            started.TrySetResult();

            // Blocks its thread, not just awaits: a middleware that ran the job inline would hang the request here.
            release.Wait(s_guard);
            return ValueTask.CompletedTask;
        }));

        try
        {
            app.Clock.Advance(s_firstDue - s_start);

            using var response = await app.Client.GetAsync(new Uri("/", UriKind.Relative)).WaitAsync(s_guard);

            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
            await started.Task.WaitAsync(s_guard);
            Assert.False(release.IsSet);
            var job = app.Scheduler.GetJob("slow")!;
            Assert.Equal(JobStatus.Running, job.Status);
            Assert.Equal(1, job.InFlight);
        }
        finally
        {
            release.Set();
        }

        await app.Scheduler.WaitForIdleAsync().WaitAsync(s_guard);
        var done = app.Scheduler.GetJob("slow")!;
        Assert.Equal(1, done.SuccessCount);
        Assert.Equal(JobOutcome.Succeeded, done.LastOutcome);
    }

    [Fact]
    public void UseChronoFlow_WithoutAddChronoFlow_ThrowsNamingTheMissingRegistration()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseTestServer();
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.UseChronoFlow());

        Assert.Contains("services.AddChronoFlow()", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A started app: soft-mode ChronoFlow on a fake clock, the middleware, then a handler that answers "ok".</summary>
    private sealed class PumpedApp : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private PumpedApp(WebApplication app, FakeTimeProvider clock)
        {
            _app = app;
            Clock = clock;
            Scheduler = app.Services.GetRequiredService<JobScheduler>();
            Client = app.GetTestClient();
        }

        public FakeTimeProvider Clock { get; }

        public JobScheduler Scheduler { get; }

        public HttpClient Client { get; }

        public static async Task<PumpedApp> StartAsync(Action<ChronoFlowBuilder> addJobs)
        {
            var clock = new FakeTimeProvider(s_start);
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseTestServer();
            builder.Services.AddSingleton<TimeProvider>(clock);
            addJobs(builder.Services.AddChronoFlow(static options => options.Mode = SchedulerMode.Soft));
            var app = builder.Build();
            app.UseChronoFlow();
            app.Run(static context => context.Response.WriteAsync("ok"));
            await app.StartAsync();
            return new PumpedApp(app, clock);
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
