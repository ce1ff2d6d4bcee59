using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json.Serialization;
using ChronoFlow.Files;
using ChronoFlow.Testing;
using Microsoft.Extensions.Logging;

namespace ChronoFlow.Files.Tests;

public sealed class JobTaskTypeTests : IDisposable
{
    private static readonly TimeSpan s_rescan = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly TestClock _clock = new();
    private readonly CapturingLoggerFactory _logs = new();
    private readonly ConcurrentQueue<(ProbeTask Task, JobContext Context)> _probes = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Create_SourceGeneratedTypeInfo_LoadsFromDirectoryAndRunsWithBoundSettings()
    {
        _dir.Write("probe.json", """{ "job_id": "probe", "schedule": "* * * * *", "task": { "type": "probe", "target": "db-1", "port": 5432 } }""");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler, ProbeType());

        await source.StartAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await scheduler.PumpAndWaitAsync());

        var (task, context) = Assert.Single(_probes);
        Assert.Equal(new ProbeTask("db-1", 5432), task);
        Assert.Equal("probe", context.JobId);
        Assert.Equal(JobOutcome.Succeeded, scheduler.GetJob("probe")!.LastOutcome);
        Assert.Empty(source.Errors);
    }

    [Fact]
    public async Task Create_Executor_RunsThroughTheExecutorInterface()
    {
        _dir.Write("probe.json", """{ "job_id": "probe", "schedule": "* * * * *", "task": { "type": "probe", "target": "cache", "port": 6379 } }""");
        var executor = new ProbeExecutor();
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler, JobTaskType.Create("probe", TaskTypesJsonContext.Default.ProbeTask, executor));
        await source.StartAsync();

        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();

        Assert.Equal([new ProbeTask("cache", 6379)], executor.Seen);
    }

    [Fact]
    public void Bind_ReflectionDefaults_AreSnakeCaseNamesEnumNamesAndJobFileDurations()
    {
        var type = JobTaskType.Create<ReportTask>("report", static (_, _, _) => ValueTask.CompletedTask);

        var definition = Assert.Single(Parse(type, """{ "type": "report", "recipient_address": "ops@example.com", "format": "plain_text", "every": "PT5M", "grace": "00:00:30" }""").Definitions);

        var report = Assert.IsType<ReportTask>(definition.Task.Settings);
        Assert.Equal("ops@example.com", report.RecipientAddress);
        Assert.Equal(ReportFormat.PlainText, report.Format);
        Assert.Equal(TimeSpan.FromMinutes(5), report.Every);
        Assert.Equal(TimeSpan.FromSeconds(30), report.Grace);
    }

    [Theory]
    [InlineData("""{ "type": "report", "recipient_address": "a@b", "format": 1 }""", "$.task.format: expected a ReportFormat name, found a number")]
    [InlineData("""{ "type": "report", "recipient_address": "a@b", "format": "pdf" }""", "$.task.format: \"pdf\" is not a ReportFormat name")]
    [InlineData("""{ "type": "report", "recipient_address": 7 }""", "$.task.recipient_address: expected a string, found a number")]
    [InlineData("""{ "type": "report", "recipient_address": "a@b", "every": "soon" }""", "$.task.every: \"soon\" is not a duration; expected \"hh:mm:ss\" (such as \"00:10:00\") or ISO 8601 (such as \"PT10M\")")]
    [InlineData("""{ "type": "report", "recipient_address": "a@b", "every": 300 }""", "$.task.every: expected a duration string such as \"00:10:00\" or \"PT10M\", found a number")]
    [InlineData("""{ "type": "report", "recipient_address": null }""", "$.task.recipient_address: The property or field 'recipient_address' on type 'ChronoFlow.Files.Tests.ReportTask' doesn't allow setting null values. Consider updating its nullability annotation.")]
    [InlineData("""{ "type": "report", "recipient_address": "a@b", "grace": "PT0.5S", "every": "-" }""", "$.task.every: \"-\" is not a duration; expected \"hh:mm:ss\" (such as \"00:10:00\") or ISO 8601 (such as \"PT10M\")")]
    [InlineData("""{ "type": "report" }""", "$.task: JSON deserialization for type 'ChronoFlow.Files.Tests.ReportTask' was missing required properties including: 'recipient_address'.")]
    public void Bind_ReflectionBadSettings_IsAnErrorAtTheJsonPath(string task, string expected)
    {
        var type = JobTaskType.Create<ReportTask>("report", static (_, _, _) => ValueTask.CompletedTask);

        var result = Parse(type, task);

        Assert.Empty(result.Definitions);
        Assert.Equal(["jobs.d/report.json: " + expected], result.Diagnostics.Where(d => d.IsError).Select(d => d.ToString()));
    }

    [Fact]
    public void Bind_SetterThrows_IsAnErrorOnTheTaskObject()
    {
        var type = JobTaskType.Create<StrictTask>("strict", static (_, _, _) => ValueTask.CompletedTask);

        var result = Parse(type, """{ "type": "strict", "name": "   " }""");

        Assert.Empty(result.Definitions);
        var error = Assert.Single(result.Diagnostics);
        Assert.StartsWith("jobs.d/report.json: $.task: cannot be bound to StrictTask: The value cannot be an empty string or composed entirely of whitespace.", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_ValidatableObject_EachResultIsAnErrorAtItsMember()
    {
        var type = JobTaskType.Create<RangeTask>("range", static (_, _, _) => ValueTask.CompletedTask);

        var bad = Parse(type, """{ "type": "range", "low_water": 10, "high_water": 5 }""");
        var good = Parse(type, """{ "type": "range", "low_water": 1, "high_water": 5 }""");

        Assert.Empty(bad.Definitions);
        Assert.Equal(
            ["jobs.d/report.json: $.task.high_water: must not be below \"low_water\"", "jobs.d/report.json: $.task: a range of 10 to 5 is empty"],
            bad.Diagnostics.Select(d => d.ToString()));
        Assert.Single(good.Definitions);
        Assert.Empty(good.Diagnostics);
    }

    [Fact]
    public void Bind_UnknownField_IsAWarningAndTheJobLoads()
    {
        var result = Parse(ProbeType(), """{ "type": "probe", "target": "db", "port": 1, "prot": 2 }""");

        Assert.Single(result.Definitions);
        var warning = Assert.Single(result.Diagnostics);
        Assert.False(warning.IsError);
        Assert.Equal("jobs.d/report.json: $.task.prot: unknown field for probe, ignored", warning.ToString());
    }

    [Theory]
    [InlineData("""{ "type": "probe", "target": "db", "port": "5432" }""", "$.task.port: expected a whole number (Int32), found a string")]
    [InlineData("""{ "type": "probe", "target": "db", "port": 1.5 }""", "$.task.port: 1.5 is not a whole number (Int32)")]
    [InlineData("""{ "type": "probe", "target": ["db"], "port": 1 }""", "$.task.target: expected a string, found an array")]
    public void Bind_SourceGeneratedWrongType_IsAnErrorAtTheJsonPath(string task, string expected)
    {
        var result = Parse(ProbeType(), task);

        Assert.Empty(result.Definitions);
        Assert.Equal(["jobs.d/report.json: " + expected], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public async Task StartAsync_BadSettings_FileIsNotLoadedOthersRunAndTheErrorIsLoggedOnce()
    {
        _dir.Write("bad.json", """{ "job_id": "bad", "schedule": "* * * * *", "task": { "type": "probe", "target": "db", "port": "high" } }""");
        _dir.Write("good.json", """{ "job_id": "good", "schedule": "* * * * *", "task": { "type": "probe", "target": "web", "port": 80 } }""");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler, ProbeType());

        await source.StartAsync();
        _clock.Advance(s_rescan);
        _clock.Advance(s_rescan);
        await scheduler.PumpAndWaitAsync();

        Assert.Equal(["good"], source.JobIds);
        Assert.Null(scheduler.GetJob("bad"));
        Assert.Equal([new ProbeTask("web", 80)], _probes.Select(p => p.Task));
        var expected = _dir.File("bad.json") + ": $.task.port: expected a whole number (Int32), found a string";
        Assert.Equal([expected], source.Errors);
        var logged = Assert.Single(_logs.Entries, e => e.EventId.Id == 400);
        Assert.Equal(LogLevel.Error, logged.Level);
        Assert.Equal("Job definition error: " + expected, logged.Message);
    }

    [Fact]
    public async Task StartAsync_UnknownType_ErrorListsBuiltInAndRegisteredNames()
    {
        _dir.Write("mail.json", """{ "job_id": "mail", "schedule": "@daily", "task": { "type": "send_mail" } }""");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler, ProbeType(), JobTaskType.Create<ReportTask>("acme.report", static (_, _, _) => ValueTask.CompletedTask));

        await source.StartAsync();

        Assert.Equal(
            [_dir.File("mail.json") + ": $.task.type: unknown task type \"send_mail\"; known types are acme.report, execute_command, http_request, probe"],
            source.Errors);
    }

    [Fact]
    public async Task Reload_ChangedSettings_UpdateTheJobKeepingItsHistory()
    {
        _dir.Write("probe.json", """{ "job_id": "probe", "schedule": "* * * * *", "task": { "type": "probe", "target": "old", "port": 1 } }""");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler, ProbeType());
        await source.StartAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();

        // Only the task object changes: the fingerprint must see it.
        _dir.Write("probe.json", """{ "job_id": "probe", "schedule": "* * * * *", "task": { "type": "probe", "target": "new", "port": 2 } }""");
        _clock.Advance(s_rescan);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();

        Assert.Equal([new ProbeTask("old", 1), new ProbeTask("new", 2)], _probes.Select(p => p.Task));
        Assert.Equal(2, scheduler.GetJob("probe")!.RunCount);
    }

    [Fact]
    public void Fingerprint_DiffersWhenOnlyTheTaskSettingsDiffer()
    {
        var a = Assert.Single(Parse(ProbeType(), """{ "type": "probe", "target": "a", "port": 1 }""").Definitions);
        var b = Assert.Single(Parse(ProbeType(), """{ "type": "probe", "target": "a", "port": 2 }""").Definitions);
        var reformatted = Assert.Single(Parse(ProbeType(), """{"type":"probe",   "target":"a","port":1}""").Definitions);

        Assert.NotEqual(a.Fingerprint, b.Fingerprint);
        Assert.Equal(a.Fingerprint, reformatted.Fingerprint);
    }

    [Fact]
    public async Task Run_ExecutorThrows_IsRecordedAsFailureAfterTheRetries()
    {
        _dir.Write("flaky.json", """{ "job_id": "flaky", "schedule": "* * * * *", "retry": { "max_attempts": 3, "backoff": "PT0S" }, "task": { "type": "flaky" } }""");
        var attempts = 0;
        var type = JobTaskType.Create<FlakyTask>("flaky", (_, context, _) =>
        {
            Interlocked.Increment(ref attempts);
            throw new InvalidOperationException($"attempt {context.Attempt} broke");
        });
        var events = new EventRecorder();
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock, events);
        await using var source = CreateSource(scheduler, type);
        await source.StartAsync();

        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();

        var job = scheduler.GetJob("flaky")!;
        Assert.Equal(3, attempts);
        Assert.Equal(JobOutcome.Failed, job.LastOutcome);
        Assert.Equal(1, job.FailureCount);
        Assert.Contains("attempt 3 broke", job.LastError, StringComparison.Ordinal);
        Assert.Equal(1, events.Count(JobEventKind.Failed));
    }

    [Fact]
    public async Task Run_ExecutorCancelledByTheTimeout_IsRecordedAsTimedOut()
    {
        _dir.Write("slow.json", """{ "job_id": "slow", "schedule": "* * * * *", "timeout": "PT10S", "task": { "type": "flaky" } }""");
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var type = JobTaskType.Create<FlakyTask>("flaky", async (_, _, cancellationToken) =>
        {
            entered.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        });
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler, type);
        await source.StartAsync();

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, scheduler.Pump());
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _clock.Advance(TimeSpan.FromSeconds(10));
        await scheduler.IdleAsync();

        Assert.Equal(JobOutcome.TimedOut, scheduler.GetJob("slow")!.LastOutcome);
    }

    [Theory]
    [InlineData("execute_command")]
    [InlineData("http_request")]
    public void Create_BuiltInName_ThrowsArgumentException(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => JobTaskType.Create(name, TaskTypesJsonContext.Default.ProbeTask, static (_, _, _) => ValueTask.CompletedTask));

        Assert.Equal("name", ex.ParamName);
        Assert.StartsWith($"\"{name}\" is a built-in task type and cannot be replaced", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "must not be empty")]
    [InlineData("Send_Mail", "must start with a lower-case ASCII letter or a digit")]
    [InlineData("send mail", "holds ' '")]
    [InlineData("sendMail", "holds 'M'")]
    [InlineData("_mail", "must start with")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "is 65 characters long; at most 64")]
    public void Create_InvalidName_ThrowsArgumentExceptionSayingWhy(string name, string reason)
    {
        var ex = Assert.Throws<ArgumentException>(() => JobTaskType.Create(name, TaskTypesJsonContext.Default.ProbeTask, static (_, _, _) => ValueTask.CompletedTask));

        Assert.Equal("name", ex.ParamName);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("probe")]
    [InlineData("acme.backup-v2")]
    [InlineData("0day_check")]
    public void Create_ValidName_KeepsIt(string name)
        => Assert.Equal(name, JobTaskType.Create(name, TaskTypesJsonContext.Default.ProbeTask, static (_, _, _) => ValueTask.CompletedTask).Name);

    [Fact]
    public void Create_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => JobTaskType.Create(null!, TaskTypesJsonContext.Default.ProbeTask, static (_, _, _) => ValueTask.CompletedTask));
        Assert.Throws<ArgumentNullException>(() => JobTaskType.Create<ProbeTask>("probe", null!, static (_, _, _) => ValueTask.CompletedTask));
        Assert.Throws<ArgumentNullException>(() => JobTaskType.Create("probe", TaskTypesJsonContext.Default.ProbeTask, (Func<ProbeTask, JobContext, CancellationToken, ValueTask>)null!));
        Assert.Throws<ArgumentNullException>(() => JobTaskType.Create("probe", TaskTypesJsonContext.Default.ProbeTask, (IJobTaskExecutor<ProbeTask>)null!));
    }

    [Fact]
    public void Constructor_SameNameTwice_ThrowsNamingIt()
    {
        var options = new JobFileSourceOptions { JobsDirectory = _dir.Path };
        options.TaskTypes.Add(ProbeType());
        options.TaskTypes.Add(JobTaskType.Create<ReportTask>("probe", static (_, _, _) => ValueTask.CompletedTask));
        var scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft }, _clock);

        var ex = Assert.Throws<ArgumentException>(() => new JobFileSource(scheduler, options));

        Assert.Contains("registers the task type \"probe\" twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NullTaskType_Throws()
    {
        var options = new JobFileSourceOptions { JobsDirectory = _dir.Path };
        options.TaskTypes.Add(null!);
        var scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft }, _clock);

        var ex = Assert.Throws<ArgumentException>(() => new JobFileSource(scheduler, options));

        Assert.Contains("TaskTypes[0] is null", ex.Message, StringComparison.Ordinal);
    }

    private static DefinitionFileResult Parse(JobTaskType type, string task)
    {
        var json = $$"""{ "job_id": "x", "schedule": "@daily", "task": {{task}} }""";
        return JobFileParser.Parse(Encoding.UTF8.GetBytes(json), "jobs.d/report.json", BuiltInTaskTypes.CreateTable([type])).Result;
    }

    private JobTaskType ProbeType() => JobTaskType.Create("probe", TaskTypesJsonContext.Default.ProbeTask, (task, context, _) =>
    {
        _probes.Enqueue((task, context));
        return ValueTask.CompletedTask;
    });

    private JobFileSource CreateSource(JobScheduler scheduler, params JobTaskType[] types)
    {
        var options = new JobFileSourceOptions { JobsDirectory = _dir.Path, UseFileSystemWatcher = false, RescanInterval = s_rescan };
        foreach (var type in types)
        {
            options.TaskTypes.Add(type);
        }

        return new JobFileSource(scheduler, options, _logs, _clock);
    }

    private sealed class ProbeExecutor : IJobTaskExecutor<ProbeTask>
    {
        public ConcurrentQueue<ProbeTask> Seen { get; } = new();

        public ValueTask ExecuteAsync(ProbeTask task, JobContext context, CancellationToken cancellationToken)
        {
            Seen.Enqueue(task);
            return ValueTask.CompletedTask;
        }
    }
}

public sealed record ProbeTask(string Target, int Port);

public sealed record FlakyTask;

public enum ReportFormat
{
    Html,
    PlainText,
}

public sealed class ReportTask
{
    public required string RecipientAddress { get; init; }

    public ReportFormat Format { get; init; }

    public TimeSpan? Every { get; init; }

    public TimeSpan Grace { get; init; }
}

public sealed class StrictTask
{
    private readonly string _name = "x";

    public string Name
    {
        get => _name;
        init
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(value);
            _name = value;
        }
    }
}

public sealed class RangeTask : IValidatableObject
{
    public int LowWater { get; init; }

    public int HighWater { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HighWater < LowWater)
        {
            yield return new ValidationResult("must not be below \"low_water\"", [nameof(HighWater)]);
            yield return new ValidationResult($"a range of {LowWater} to {HighWater} is empty");
        }
    }
}

/// <summary>The source-generated binding path: snake_case as job files write it.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(ProbeTask))]
internal sealed partial class TaskTypesJsonContext : JsonSerializerContext;
