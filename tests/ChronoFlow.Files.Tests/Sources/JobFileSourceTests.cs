using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ChronoFlow.Files;
using ChronoFlow.Testing;
using Microsoft.Extensions.Logging;

namespace ChronoFlow.Files.Tests;

public sealed class JobFileSourceTests : IDisposable
{
    private static readonly TimeSpan s_rescan = TimeSpan.FromSeconds(30);
    private readonly TempDirectory _dir = new();
    private readonly TestClock _clock = new();
    private readonly CapturingLoggerFactory _logs = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Schedule_CronWithZone_IsCronInThatZone()
    {
        var definition = Parse("""{ "job_id": "a", "schedule": "0 1 * * *", "timezone": "Europe/Berlin", "task": { "type": "execute_command", "command": "/bin/true" } }""");

        var schedule = definition.Schedule;

        Assert.Equal(ScheduleKind.Cron, schedule.Kind);
        var next = schedule.GetNextOccurrence(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 0, 0, 0, TimeSpan.Zero), next); // 01:00 in Berlin (UTC+1 in winter)
    }

    [Fact]
    public void Schedule_SixFields_HasSeconds()
    {
        var schedule = Parse("""{ "job_id": "a", "schedule": "*/10 * * * * *", "task": { "type": "execute_command", "command": "/bin/true" } }""").Schedule;

        Assert.Equal(new DateTimeOffset(2030, 1, 1, 0, 0, 10, TimeSpan.Zero), schedule.GetNextOccurrence(TestClock.Epoch));
    }

    [Fact]
    public void Schedule_Reboot_IsStartup()
    {
        var schedule = Parse("""{ "job_id": "a", "schedule": "@reboot", "task": { "type": "execute_command", "command": "/bin/true" } }""").Schedule;

        Assert.Same(Schedule.Startup, schedule);
    }

    [Fact]
    public void Schedule_IsoInstant_IsOnceAtThatInstant()
    {
        var schedule = Parse("""{ "job_id": "a", "schedule": "2031-09-20T04:00:00+02:00", "task": { "type": "execute_command", "command": "/bin/true" } }""").Schedule;

        Assert.Equal(ScheduleKind.Once, schedule.Kind);
        Assert.Equal(new DateTimeOffset(2031, 9, 20, 2, 0, 0, TimeSpan.Zero), schedule.GetNextOccurrence(TestClock.Epoch));
    }

    [Fact]
    public void CreateOptions_EveryField_IsMapped()
    {
        var definition = Parse("""
            {
              "job_id": "a", "description": "d", "schedule": "@hourly", "enabled": false, "timeout": "PT10M",
              "max_concurrency": 3, "misfire": { "policy": "run_all", "grace_period": "00:05:00" },
              "retry": { "max_attempts": 4, "backoff": "PT2S", "max_delay": "PT1M" }, "lock": "reports",
              "task": { "type": "execute_command", "command": "/bin/true" }
            }
            """);

        var options = JobFileSource.CreateOptions(definition);

        Assert.False(options.Enabled);
        Assert.Equal("d", options.Description);
        Assert.Equal(TimeSpan.FromMinutes(10), options.Timeout);
        Assert.Equal(3, options.MaxConcurrency);
        Assert.Equal(MisfirePolicy.RunAll, options.Misfire);
        Assert.Equal(TimeSpan.FromMinutes(5), options.MisfireGracePeriod);
        Assert.Equal(4, options.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Retry.BaseDelay);
        Assert.Equal(TimeSpan.FromMinutes(1), options.Retry.MaxDelay);
        Assert.Equal("reports", options.LockKey);
    }

    [Fact]
    public void CreateOptions_NothingGiven_TakesJobOptionsDefaults()
    {
        var options = JobFileSource.CreateOptions(Parse("""{ "job_id": "a", "schedule": "@daily", "task": { "type": "execute_command", "command": "/bin/true" } }"""));
        var defaults = new JobOptions();

        Assert.True(options.Enabled);
        Assert.Null(options.Timeout);
        Assert.Equal(defaults.MaxConcurrency, options.MaxConcurrency);
        Assert.Equal(defaults.Misfire, options.Misfire);
        Assert.Equal(defaults.MisfireGracePeriod, options.MisfireGracePeriod);
        Assert.Same(RetryPolicy.None, options.Retry);
        Assert.Null(options.LockKey);
    }

    [Fact]
    public async Task StartAsync_HashCron_SchedulerSeedsHWithTheJobIdAsValidated()
    {
        WriteJob("h.json", "hashed-job", "H H * * *");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler);

        await source.StartAsync();

        var expected = CronExpression.Parse("H H * * *".AsSpan(), CronFormat.Standard, "hashed-job".AsSpan()).GetNextOccurrence(TestClock.Epoch.UtcDateTime);
        Assert.Equal(expected, scheduler.GetJob("hashed-job")!.NextRun!.Value.UtcDateTime);
    }

    [LinuxFact]
    public async Task StartAsync_LoadsEveryFileBeforeReturning_AndLogsEachDiagnosticOnce()
    {
        WriteJob("a.json", "a", "0 1 * * *");
        WriteJob("b.json", "b", "*/5 * * * *");
        _dir.Write("bad.json", """{ "job_id": "bad", "schedule": "61 * * * *", "task": { "type": "execute_command", "command": "/bin/true" } }""");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler);

        await source.StartAsync();
        _clock.Advance(s_rescan);
        _clock.Advance(s_rescan);

        Assert.Equal(["a", "b"], scheduler.GetJobs().Select(j => j.Id).Order(StringComparer.Ordinal));
        Assert.Equal(["a", "b"], source.JobIds);
        var error = Assert.Single(_logs.Entries, e => e.EventId.Id == 400);
        Assert.Contains("bad.json: $.schedule: minute: 61 is out of range 0-59", error.Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Error, error.Level);
        var listed = Assert.Single(source.Errors);
        Assert.Contains("bad.json: $.schedule:", listed, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Reload_AddModifyDelete_AddsUpdatesKeepingHistoryAndRemoves()
    {
        WriteJob("a.json", "a", "* * * * *");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler);
        await source.StartAsync();

        // Run "a" once so it has history.
        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await scheduler.PumpAndWaitAsync());
        Assert.Equal(1, scheduler.GetJob("a")!.SuccessCount);

        // Added while running.
        WriteJob("b.json", "b", "0 3 * * *");
        _clock.Advance(s_rescan);
        Assert.NotNull(scheduler.GetJob("b"));

        // Modified: new schedule, same history.
        WriteJob("a.json", "a", "0 2 * * *");
        _clock.Advance(s_rescan);
        var updated = scheduler.GetJob("a")!;
        Assert.Equal("0 2 * * *", updated.ScheduleText);
        Assert.Equal(1, updated.RunCount);
        Assert.Equal(1, updated.SuccessCount);

        // Deleted.
        File.Delete(_dir.File("b.json"));
        _clock.Advance(s_rescan);
        Assert.Null(scheduler.GetJob("b"));
        Assert.Equal(["a"], source.JobIds);

        // Broken by an edit: the job goes, nothing runs from the broken file.
        _dir.Write("a.json", """{ "job_id": "a", "schedule": "0 25 * * *", "task": { "type": "execute_command", "command": "/bin/true" } }""");
        _clock.Advance(s_rescan);
        Assert.Null(scheduler.GetJob("a"));
        Assert.Equal(2, source.Errors.Count);
        Assert.Contains(source.Errors, static e => e.Contains("a.json: $.schedule: hour", StringComparison.Ordinal));
        Assert.Contains(source.Errors, static e => e.Contains("a.json: job \"a\" is stopped: this file defined it and is now invalid", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Run_NonZeroExit_IsRecordedAsFailure()
    {
        _dir.Write("fail.json", """{ "job_id": "fail", "schedule": "* * * * *", "task": { "type": "execute_command", "command": "exit 3", "shell": true } }""");
        var events = new EventRecorder();
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock, events);
        await using var source = CreateSource(scheduler);
        await source.StartAsync();

        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();

        var job = scheduler.GetJob("fail")!;
        Assert.Equal(JobOutcome.Failed, job.LastOutcome);
        Assert.Equal(1, job.FailureCount);
        Assert.Contains("exited with code 3", job.LastError, StringComparison.Ordinal);
        Assert.Equal(1, events.Count(JobEventKind.Failed));
    }

    [LinuxFact]
    public async Task Run_MissingProgram_IsRecordedAsFailure()
    {
        _dir.Write("missing.json", """{ "job_id": "missing", "schedule": "* * * * *", "task": { "type": "execute_command", "command": "/nonexistent/program" } }""");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler);
        await source.StartAsync();

        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();

        var job = scheduler.GetJob("missing")!;
        Assert.Equal(JobOutcome.Failed, job.LastOutcome);
        Assert.Contains("/nonexistent/program", job.LastError, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Run_CommandOutput_GoesToTheLogLineByLine()
    {
        _dir.Write("out.json", """{ "job_id": "out", "schedule": "* * * * *", "task": { "type": "execute_command", "args": ["/bin/sh", "-c", "echo one; echo two >&2"] } }""");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler);
        await source.StartAsync();

        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();

        Assert.Equal(JobOutcome.Succeeded, scheduler.GetJob("out")!.LastOutcome);
        var lines = _logs.Entries.Where(e => e.EventId.Id == 403).Select(e => e.Message).ToList();
        Assert.Contains("Job out stdout: one", lines);
        Assert.Contains("Job out stderr: two", lines);
    }

    [Theory]
    [InlineData(204, JobOutcome.Succeeded)]
    [InlineData(503, JobOutcome.Failed)]
    public async Task Run_HttpRequest_StatusDecidesTheOutcome(int status, JobOutcome expected)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var server = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var received = new StringBuilder();
            var buffer = new byte[4096];
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer);
                if (read == 0)
                {
                    break;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            return received.ToString();
        });
        var url = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/ping";
        _dir.Write("ping.json", $$"""{ "job_id": "ping", "schedule": "* * * * *", "task": { "type": "http_request", "method": "POST", "url": "{{url}}" } }""");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler);
        await source.StartAsync();

        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();

        Assert.StartsWith("POST /ping HTTP/1.1", await server.WaitAsync(TimeSpan.FromSeconds(30)), StringComparison.Ordinal);
        var job = scheduler.GetJob("ping")!;
        Assert.Equal(expected, job.LastOutcome);
        if (expected == JobOutcome.Failed)
        {
            Assert.Contains("returned 503", job.LastError, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Register_IdTakenByTheApplication_IsAnErrorAndLeavesTheApplicationJob()
    {
        WriteJob("app.json", "app-job", "0 1 * * *");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        scheduler.AddOrUpdate("app-job", Schedule.Cron("0 5 * * *"), static (_, _) => ValueTask.CompletedTask);
        await using var source = CreateSource(scheduler);

        await source.StartAsync();

        Assert.Equal("0 5 * * *", scheduler.GetJob("app-job")!.ScheduleText);
        Assert.Contains(source.Errors, e => e.Contains("already registered", StringComparison.Ordinal));
        Assert.Empty(source.JobIds);
    }

    [LinuxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task StartAsync_GroupWritableFile_IsRefusedWithAFileError()
    {
        var path = WriteJob("open.json", "open", "@daily");
        if (Environment.UserName == "root")
        {
            // Group-writable by the owner's private group is accepted (FileSecurityTests); a shared group is not.
            FileSecurityTests.Chgrp(path, "65534");
        }

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead);
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        await using var source = CreateSource(scheduler);

        await source.StartAsync();

        Assert.Null(scheduler.GetJob("open"));
        var error = Assert.Single(_logs.Entries, e => e.EventId.Id == 409);
        Assert.Contains("open.json: BAD FILE MODE: writable by its group", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_MissingDirectory_IsOneErrorAndNoJobs()
    {
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        var options = new JobFileSourceOptions { JobsDirectory = _dir.File("absent"), UseFileSystemWatcher = false, RescanInterval = s_rescan };
        await using var source = new JobFileSource(scheduler, options, _logs, _clock);

        await source.StartAsync();
        _clock.Advance(s_rescan);

        Assert.Empty(scheduler.GetJobs());
        var error = Assert.Single(_logs.Entries, e => e.EventId.Id == 409);
        Assert.Contains("absent: the jobs directory does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_NoDirectoryAndNoCrontab_Throws()
    {
        var scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft }, _clock);

        var ex = Assert.Throws<ArgumentException>(() => new JobFileSource(scheduler, new JobFileSourceOptions()));

        Assert.Contains(nameof(JobFileSourceOptions.JobsDirectory), ex.Message, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Reload_Crontab_LinesBecomeJobsAndBrokenLinesAreNamed()
    {
        var crontab = _dir.Write("tab", "# comment\n*/5 * * * * /bin/true\n61 * * * * /bin/true\n@reboot /bin/true\n");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        var options = new JobFileSourceOptions { UseFileSystemWatcher = false };
        options.CrontabFiles.Add(crontab);
        await using var source = new JobFileSource(scheduler, options, _logs, _clock);

        await source.StartAsync();

        var jobs = scheduler.GetJobs();
        Assert.Equal(2, jobs.Count);
        Assert.Contains(jobs, j => j.Schedule.Kind == ScheduleKind.Startup);
        Assert.Contains(jobs, j => j.ScheduleText == "*/5 * * * *");
        var error = Assert.Single(source.Errors);
        Assert.Contains("line 3", error, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Reload_SystemCrontabLineOfAnotherUserWithoutRoot_IsRefusedNamingFileLineAndUser()
    {
        var crontab = _dir.Write("system", "SHELL=/bin/sh\n* * * * * alice /bin/true\n*/5 * * * * bob /bin/true\n");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        var options = new JobFileSourceOptions
        {
            CrontabHasUserColumn = true,
            UseFileSystemWatcher = false,
            RescanInterval = s_rescan,
            UserSwitchHost = new UserSwitchHost("alice", IsPrivileged: false, "/usr/sbin/runuser", static _ => true),
        };
        options.CrontabFiles.Add(crontab);
        await using var source = new JobFileSource(scheduler, options, _logs, _clock);

        await source.StartAsync();
        _clock.Advance(s_rescan);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await scheduler.PumpAndWaitAsync();

        var job = Assert.Single(scheduler.GetJobs());
        Assert.Equal("* * * * *", job.ScheduleText);
        Assert.Equal(JobOutcome.Succeeded, job.LastOutcome);
        var expected = $"{crontab}: line 3: runs as 'bob', but this service runs as 'alice' and cannot switch users (only root can); this line is not loaded";
        Assert.Equal([expected], source.Errors);
        Assert.Equal("Job definition error: " + expected, Assert.Single(_logs.Entries, e => e.EventId.Id == 400).Message);
    }

    [RootLinuxFact]
    public async Task Run_SystemCrontabLineOfAnotherUserAsRoot_RunsAsThatUser()
    {
        // The first line gets nobody's own HOME from runuser; a crontab HOME= line wins for the lines after it, as in cron.
        var crontab = _dir.Write("system", "* * * * * nobody id -un; echo \"a $HOME\"\nHOME=/var/chronoflow-home\n* * * * * nobody echo \"b $HOME\"\n");
        await using var scheduler = SchedulerTestExtensions.CreateSoft(_clock);
        var options = new JobFileSourceOptions { CrontabHasUserColumn = true, UseFileSystemWatcher = false };
        options.CrontabFiles.Add(crontab);
        await using var source = new JobFileSource(scheduler, options, _logs, _clock);
        await source.StartAsync();

        _clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, await scheduler.PumpAndWaitAsync());

        Assert.Empty(source.Errors);
        Assert.All(scheduler.GetJobs(), j => Assert.True(j.LastOutcome == JobOutcome.Succeeded, j.LastError));
        var output = _logs.Entries.Where(e => e.EventId.Id == 403).Select(e => e.Message[(e.Message.IndexOf(" stdout: ", StringComparison.Ordinal) + 9)..]).ToList();
        Assert.Contains("nobody", output);
        Assert.Contains("b /var/chronoflow-home", output);
        var a = Assert.Single(output, l => l.StartsWith("a ", StringComparison.Ordinal));
        Assert.NotEqual("a " + Environment.GetEnvironmentVariable("HOME"), a);
        Assert.Equal(2, _logs.Entries.Count(e => e.EventId.Id == 411 && e.Message.Contains("runs as user nobody through", StringComparison.Ordinal)));
    }

    [LinuxFact]
    [Trait("Category", "Integration")]
    public async Task Run_CommandPastItsTimeout_IsStoppedAndRecordedAsTimedOut()
    {
        // Real time: the process has to be signalled. The timeout is short; the guard is generous.
        _dir.Write("slow.json", """{ "job_id": "slow", "schedule": "0 0 1 1 *", "timeout": "PT1S", "task": { "type": "execute_command", "command": "/bin/sleep 60" } }""");
        await using var scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft, ShutdownTimeout = TimeSpan.Zero }, TimeProvider.System);
        var options = new JobFileSourceOptions { JobsDirectory = _dir.Path, Watch = false, CommandKillGracePeriod = TimeSpan.FromSeconds(1) };
        await using var source = new JobFileSource(scheduler, options, _logs);
        await source.StartAsync();
        var started = DateTime.UtcNow;

        Assert.True(scheduler.Trigger("slow"));
        await scheduler.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var job = scheduler.GetJob("slow")!;
        Assert.Equal(JobOutcome.TimedOut, job.LastOutcome);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(50), "the sleep was not stopped");
    }

    [LinuxFact]
    public async Task Run_Command_GetsTheRunsEnvironmentAndWritesItsWholeOutputToOutputFile()
    {
        var output = _dir.File("env.out");
        _dir.Write("env.json", $$"""
            { "job_id": "env", "schedule": "0 0 1 1 *",
              "task": { "type": "execute_command", "shell": true, "output_file": "{{output}}",
                        "command": "echo \"$CHRONOFLOW_JOB_ID|$CHRONOFLOW_SCHEDULED_TIME|$CHRONOFLOW_ATTEMPT|$CHRONOFLOW_RUN_ID|$CHRONOFLOW_NODE\"; seq 1 30" } }
            """);
        await using var scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft, ShutdownTimeout = TimeSpan.Zero }, TimeProvider.System);
        var options = new JobFileSourceOptions { JobsDirectory = _dir.Path, Watch = false, NodeName = "node-7" };
        await using var source = new JobFileSource(scheduler, options, _logs);
        await source.StartAsync();

        Assert.True(scheduler.Trigger("env"));
        await scheduler.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(JobOutcome.Succeeded, scheduler.GetJob("env")!.LastOutcome);
        var lines = File.ReadAllLines(output);
        Assert.Equal(31, lines.Length);
        var fields = lines[0].Split('|');
        Assert.Equal("env", fields[0]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$", fields[1]);
        Assert.Equal("1", fields[2]);
        Assert.True(Guid.TryParse(fields[3], out _), fields[3]);
        Assert.Equal("node-7", fields[4]);
        Assert.Equal("30", lines[^1]);

        // The log gets the last 20 lines only, and says how many there were.
        var logged = _logs.Entries.Where(static e => e.EventId.Id == 403).Select(static e => e.Message).ToList();
        Assert.Equal(20, logged.Count);
        Assert.Equal("Job env stdout: 11", logged[0]);
        Assert.Equal("Job env stdout: 30", logged[^1]);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 412 && e.Message.StartsWith("Job env output: 31 line(s), the last 20 follow", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Run_CommandWithOneHugeLine_LogsItCut()
    {
        _dir.Write("long.json", """{ "job_id": "long", "schedule": "0 0 1 1 *", "task": { "type": "execute_command", "shell": true, "command": "head -c 200000 /dev/zero | tr '\\0' x" } }""");
        await using var scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft, ShutdownTimeout = TimeSpan.Zero }, TimeProvider.System);
        await using var source = new JobFileSource(scheduler, new JobFileSourceOptions { JobsDirectory = _dir.Path, Watch = false }, _logs);
        await source.StartAsync();

        Assert.True(scheduler.Trigger("long"));
        await scheduler.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(60));

        var line = Assert.Single(_logs.Entries, static e => e.EventId.Id == 403).Message;
        Assert.True(line.Length < 1100, $"{line.Length} characters logged");
        Assert.EndsWith("... (199000 more characters)", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithoutWatching_ReportsAFileWrittenJustNowAsItIs()
    {
        // Issue 9: --check said OK for a broken file written in the last two seconds, INVALID a moment later.
        _dir.Write("half.json", """{ "job_id": "half", """);
        await using var scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft }, TimeProvider.System);
        await using var source = new JobFileSource(scheduler, new JobFileSourceOptions { JobsDirectory = _dir.Path, Watch = false }, _logs);

        await source.StartAsync();

        Assert.Contains(source.Errors, e => e.StartsWith(_dir.File("half.json") + ": line 1", StringComparison.Ordinal));
    }

    private static JobDefinition Parse(string json)
    {
        var result = JobFileParser.Parse(Encoding.UTF8.GetBytes(json), "test.json").Result;
        Assert.Empty(result.Diagnostics.Where(d => d.IsError));
        return Assert.Single(result.Definitions);
    }

    private JobFileSource CreateSource(JobScheduler scheduler)
    {
        var options = new JobFileSourceOptions { JobsDirectory = _dir.Path, UseFileSystemWatcher = false, RescanInterval = s_rescan };
        return new JobFileSource(scheduler, options, _logs, _clock);
    }

    private string WriteJob(string file, string id, string schedule)
        => _dir.Write(file, $$"""{ "job_id": "{{id}}", "schedule": "{{schedule}}", "task": { "type": "execute_command", "command": "/bin/true" } }""");
}
