using System.Net;
using ChronoFlow.Hosting;
using ChronoFlow.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ChronoFlow.Files.Tests;

public sealed class ChronoFlowBuilderTaskTypeTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public async Task AddTaskType_JobFileOfThatType_RunsTheExecutorInAScopeWithTheBoundSettings()
    {
        using var directory = new TempDirectory();
        directory.Write("probe.json", """{ "job_id": "probe-db", "schedule": "* * * * *", "task": { "type": "probe", "target": "db.local", "port": 5432 } }""");
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddTaskType<ProbeTask, ProbeExecutor>("probe", TaskTypesJsonContext.Default.ProbeTask).AddJobsDirectory(directory.Path),
            TestHost.Config(("ChronoFlow:Mode", "Soft")),
            services => services.AddScoped<ScopeProbe>().AddSingleton<ProbeLog>());
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<JobScheduler>();

        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();
        await host.StopAsync();

        var runs = host.Services.GetRequiredService<ProbeLog>().Runs;
        Assert.Equal(2, runs.Count);
        Assert.All(runs, r => Assert.Equal(new ProbeTask("db.local", 5432), r.Task));
        Assert.All(runs, r => Assert.Equal("probe-db", r.JobId));
        Assert.NotSame(runs[0].Probe, runs[1].Probe);
        Assert.All(runs, r => Assert.True(r.Probe.Disposed));
    }

    [Fact]
    public void AddTaskType_SameNameTwice_Throws()
    {
        var builder = new ServiceCollection().AddChronoFlow().AddTaskType<ProbeTask, ProbeExecutor>("probe", TaskTypesJsonContext.Default.ProbeTask);

        var ex = Assert.Throws<ArgumentException>(() => builder.AddTaskType<ProbeTask, ProbeExecutor>("probe", TaskTypesJsonContext.Default.ProbeTask));

        Assert.StartsWith("A task type named \"probe\" is already added", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("execute_command")]
    [InlineData("Has Spaces")]
    public void AddTaskType_BuiltInOrInvalidName_ThrowsAtRegistration(string name)
    {
        var builder = new ServiceCollection().AddChronoFlow();

        var ex = Assert.Throws<ArgumentException>(() => builder.AddTaskType<ProbeTask, ProbeExecutor>(name, TaskTypesJsonContext.Default.ProbeTask));

        Assert.Equal("name", ex.ParamName);
    }

    [Fact]
    public async Task HttpRequestTask_WithAnHttpClientFactory_UsesTheChronoFlowNamedClient()
    {
        using var directory = new TempDirectory();
        directory.Write("ping.json", """{ "job_id": "ping", "schedule": "* * * * *", "task": { "type": "http_request", "method": "POST", "url": "http://ping.invalid/hook" } }""");
        var handler = new RecordingHandler();
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJobsDirectory(directory.Path),
            TestHost.Config(("ChronoFlow:Mode", "Soft")),
            services => services.AddHttpClient(ChronoFlowBuilderFilesExtensions.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => handler));
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<JobScheduler>();

        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();
        await host.StopAsync();

        Assert.Equal(["POST http://ping.invalid/hook"], handler.Requests);
        Assert.Equal(JobOutcome.Succeeded, scheduler.GetJob("ping")!.LastOutcome);
    }

    public sealed class ProbeLog
    {
        private readonly List<(string JobId, ProbeTask Task, ScopeProbe Probe)> _runs = [];

        public IReadOnlyList<(string JobId, ProbeTask Task, ScopeProbe Probe)> Runs
        {
            get
            {
                lock (_runs)
                {
                    return [.. _runs];
                }
            }
        }

        public void Add(string jobId, ProbeTask task, ScopeProbe probe)
        {
            lock (_runs)
            {
                _runs.Add((jobId, task, probe));
            }
        }
    }

    public sealed class ProbeExecutor(ScopeProbe probe, ProbeLog log) : IJobTaskExecutor<ProbeTask>
    {
        public ValueTask ExecuteAsync(ProbeTask task, JobContext context, CancellationToken cancellationToken)
        {
            log.Add(context.JobId, task, probe);
            return ValueTask.CompletedTask;
        }
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        private readonly List<string> _requests = [];

        public IReadOnlyList<string> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (_requests)
            {
                _requests.Add($"{request.Method} {request.RequestUri}");
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent));
        }
    }
}
