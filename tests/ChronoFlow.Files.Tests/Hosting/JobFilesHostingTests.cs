using ChronoFlow.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ChronoFlow.Files.Tests;

/// <summary>Job files in a real Generic Host, through the builder extensions of this package.</summary>
public sealed class JobFilesHostingTests
{
    private static readonly DateTimeOffset T0 = TestClock.Epoch;
    private readonly TestClock _clock = new();
    private readonly RunRecorder _runs = new();

    [Fact]
    public async Task JobsDirectory_IsLoadedBeforeTheFirstRun()
    {
        using var directory = new TempDirectory();
        directory.Write("hello.json", """{ "job_id": "hello", "schedule": "*/5 * * * *", "task": { "type": "execute_command", "command": "true" } }""");
        using var host = TestHost.Build(_clock, jobs => jobs.AddJobsDirectory(directory.Path), TestHost.Config(("ChronoFlow:Mode", "Soft")));

        await host.StartAsync();

        var job = host.Services.GetRequiredService<JobScheduler>().GetJob("hello");
        Assert.NotNull(job);
        Assert.Equal(T0.AddMinutes(5), job.NextRun);
        await host.StopAsync();
    }

    [Fact]
    public async Task JobIdTakenByCodeOrAnotherDirectory_TheFileIsRefusedAndTheFirstKeepsRunning()
    {
        using var first = new TempDirectory();
        using var second = new TempDirectory();
        first.Write("a.json", """{ "job_id": "shared", "schedule": "*/5 * * * *", "task": { "type": "execute_command", "command": "true" } }""");
        var duplicate = second.Write("b.json", """{ "job_id": "shared", "schedule": "0 1 * * *", "task": { "type": "execute_command", "command": "true" } }""");
        var taken = second.Write("c.json", """{ "job_id": "in-code", "schedule": "0 1 * * *", "task": { "type": "execute_command", "command": "true" } }""");
        var logs = new CapturingLoggerFactory();
        using var host = TestHost.Build(
            _clock,
            jobs => jobs.AddJob("in-code", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action).AddJobsDirectory(first.Path).AddJobsDirectory(second.Path),
            TestHost.Config(("ChronoFlow:Mode", "Soft")),
            services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(logs));

        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<JobScheduler>();

        Assert.Equal("*/5 * * * *", scheduler.GetJob("shared")!.ScheduleText);
        Assert.Equal(ScheduleKind.Interval, scheduler.GetJob("in-code")!.Schedule.Kind);
        var errors = logs.Entries.Where(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error).Select(e => e.Message).ToList();
        Assert.Contains(errors, m => m.Contains(duplicate, StringComparison.Ordinal) && m.Contains("job id \"shared\" is already registered with the scheduler, by the application or another job source", StringComparison.Ordinal));
        Assert.Contains(errors, m => m.Contains(taken, StringComparison.Ordinal) && m.Contains("job id \"in-code\" is already registered", StringComparison.Ordinal));
        await host.StopAsync();
    }}
