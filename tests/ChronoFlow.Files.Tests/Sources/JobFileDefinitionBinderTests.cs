using System.Collections.Concurrent;
using ChronoFlow.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ChronoFlow.Files.Tests;

/// <summary>Jobs defined as data in job-file JSON, bound by <see cref="JobFileDefinitionBinder"/>.</summary>
public sealed class JobFileDefinitionBinderTests
{
    private readonly TestClock _clock = new();
    private readonly ConcurrentQueue<(ProbeTask Task, JobContext Context)> _probes = new();

    [Fact]
    public async Task Define_AJobFilesJson_WithoutJobId_RunsItsTaskOnSchedule_WithItsOptions()
    {
        var scheduler = Scheduler(Probe());

        var runsHere = scheduler.Define("probe-db", """{ "schedule": "*/5 * * * *", "timeout": "00:00:30", "task": { "type": "probe", "target": "db", "port": 5432 } }""");

        Assert.True(runsHere);
        var job = scheduler.GetJob("probe-db")!;
        Assert.Equal("*/5 * * * *", job.Schedule.ToString());
        Assert.Equal(TimeSpan.FromSeconds(30), job.Options.Timeout);
        _clock.Advance(TimeSpan.FromMinutes(5));
        await scheduler.PumpAndWaitAsync();
        var (task, context) = Assert.Single(_probes);
        Assert.Equal(new ProbeTask("db", 5432), task);
        Assert.Equal("probe-db", context.JobId);
    }

    [Fact]
    public void Define_Invalid_ThrowsNamingTheJobAndEveryJsonPath_AndRegistersNothing()
    {
        var scheduler = Scheduler(Probe());

        var ex = Assert.Throws<FormatException>(() => scheduler.Define("probe-db", """{ "schedule": "*/61 * * * *", "task": { "type": "probe", "target": 7, "port": 5432 } }"""));

        Assert.Contains("definition of job 'probe-db'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("$.schedule", ex.Message, StringComparison.Ordinal);
        Assert.Contains("$.task", ex.Message, StringComparison.Ordinal);
        Assert.Null(scheduler.GetJob("probe-db"));
    }

    [Fact]
    public void Define_MalformedJson_SaysWhereTheJsonBreaks()
    {
        var scheduler = Scheduler();

        var ex = Assert.Throws<FormatException>(() => scheduler.Define("x", """{ "schedule": "@daily", """));

        Assert.Contains("definition of job 'x': line 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("invalid JSON", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Define_WithAnotherJobId_IsRefused()
    {
        var scheduler = Scheduler();

        var ex = Assert.Throws<FormatException>(() => scheduler.Define("a", """{ "job_id": "b", "schedule": "@daily", "task": { "type": "execute_command", "command": "true" } }"""));

        Assert.Contains("\"b\" is not the id it is defined under, \"a\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Define_UnknownTaskType_IsKeptForOthers_AndDoesNotRunHere()
    {
        var scheduler = Scheduler();

        var runsHere = scheduler.Define("probe-db", """{ "schedule": "@daily", "task": { "type": "probe", "target": "db", "port": 1 } }""");

        Assert.False(runsHere);
        Assert.Null(scheduler.GetJob("probe-db"));
    }

    [Fact]
    public void Validate_SaysValid_UnknownType_OrWhatIsWrong()
    {
        const string probe = """{ "schedule": "@daily", "task": { "type": "probe", "target": "db", "port": 1 } }""";

        Assert.Null(JobFileDefinitionBinder.Validate("x", """{ "schedule": "@daily", "task": { "type": "execute_command", "command": "true" } }"""));
        Assert.Null(JobFileDefinitionBinder.Validate("x", probe, [Probe()]));
        Assert.Null(JobFileDefinitionBinder.Validate("nightly-export", """
            { "schedule": "0 2 * * *", "timezone": "Europe/Berlin",
              "task": { "type": "http_request", "url": "https://export.internal/run", "method": "POST" } }
            """)); // the README's example
        Assert.Contains("\"probe\" is not known", JobFileDefinitionBinder.Validate("x", probe), StringComparison.Ordinal);
        var ex = Assert.Throws<FormatException>(() => JobFileDefinitionBinder.Validate("x", """{ "schedule": "@daily" }"""));
        Assert.Contains("definition of job 'x': $: \"task\" is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hosting_SetsABinderWithTheBuildersTaskTypes()
    {
        using var host = TestHost.Build(_clock, jobs => jobs.AddTaskType<ProbeTask, NoOpProbe>("probe", TaskTypesJsonContext.Default.ProbeTask), TestHost.Config(("ChronoFlow:Mode", "Soft")));
        await host.StartAsync();

        Assert.IsType<JobFileDefinitionBinder>(host.Services.GetRequiredService<IOptions<SchedulerOptions>>().Value.DefinitionBinder);
        var scheduler = host.Services.GetRequiredService<JobScheduler>();
        Assert.True(scheduler.Define("probe-db", """{ "schedule": "@hourly", "task": { "type": "probe", "target": "db", "port": 1 } }"""));
        Assert.NotNull(scheduler.GetJob("probe-db"));
        await host.StopAsync();
    }

    private JobScheduler Scheduler(params JobTaskType[] types)
    {
        var options = new JobFileSourceOptions();
        foreach (var type in types)
        {
            options.TaskTypes.Add(type);
        }

        return new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft, DefinitionBinder = new JobFileDefinitionBinder(options) }, _clock);
    }

    private JobTaskType Probe() => JobTaskType.Create("probe", TaskTypesJsonContext.Default.ProbeTask, (task, context, _) =>
    {
        _probes.Enqueue((task, context));
        return ValueTask.CompletedTask;
    });

    private sealed class NoOpProbe : IJobTaskExecutor<ProbeTask>
    {
        public ValueTask ExecuteAsync(ProbeTask task, JobContext context, CancellationToken cancellationToken) => ValueTask.CompletedTask;
    }
}
