
using ChronoFlow.Testing;

namespace ChronoFlow.IntegrationTests;

/// <summary>
/// Scripted end-to-end tests of src/ChronoFlow.Service (the chronoflow tool): the built service runs as its own process on a real
/// temporary jobs directory, and the tests read its console log.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ServiceProcessTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [LinuxFact]
    public async Task Service_DroppedJobFile_RunsAndLogsSuccess_ThenStopsCleanlyOnSigterm()
    {
        using var service = SampleProcess.Start("ChronoFlow.Service", "--jobs-dir", _dir.Path);
        await service.WaitForLineAsync(l => l.Contains("ChronoFlow service started", StringComparison.Ordinal));

        // Dropped in the way editors and deploy tools do: written under a dot-name, then renamed into place.
        var temp = _dir.Write(".e2e.json.tmp", """{ "job_id": "e2e", "schedule": "* * * * * *", "task": { "type": "execute_command", "command": "/bin/echo \"e2e marker\"" } }""");
        File.Move(temp, _dir.File("e2e.json"));

        await service.WaitForLineAsync(l => l.Contains("Job e2e stdout: e2e marker", StringComparison.Ordinal));
        var success = await service.WaitForLineAsync(l => l.Contains("Job e2e run scheduled", StringComparison.Ordinal) && l.Contains("SUCCESS", StringComparison.Ordinal));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO +Job e2e run scheduled \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", success);

        // Deleting the file removes the job.
        File.Delete(_dir.File("e2e.json"));
        await service.WaitForLineAsync(l => l.Contains("Job e2e removed", StringComparison.Ordinal));

        service.Signal(SampleProcess.SigTerm);
        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains(service.Lines, l => l.Contains("Stopping on SIGTERM", StringComparison.Ordinal));
        Assert.Contains(service.Lines, l => l.Contains("ChronoFlow service stopped", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Service_CtrlCWithCommandRunning_StopsTheCommandAndExitsCleanly()
    {
        _dir.Write("slow.json", """{ "job_id": "slow", "schedule": "* * * * * *", "task": { "type": "execute_command", "command": "/bin/sleep 600" } }""");
        using var service = SampleProcess.Start("ChronoFlow.Service", "--jobs-dir", _dir.Path, "--log-level", "DEBUG");
        await service.WaitForLineAsync(l => l.Contains("Job slow run scheduled", StringComparison.Ordinal) && l.Contains("started", StringComparison.Ordinal));

        service.Signal(SampleProcess.SigInt);
        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains(service.Lines, l => l.Contains("Job slow run scheduled", StringComparison.Ordinal) && l.Contains("FAILURE (cancelled by shutdown)", StringComparison.Ordinal));
        Assert.Contains(service.Lines, l => l.Contains("ChronoFlow service stopped", StringComparison.Ordinal));

        // A normal stop is not a warning, and every time is ISO 8601 UTC; a missing one is "none", never "(null)".
        Assert.DoesNotContain(service.Lines, l => l.Contains("waiting up to", StringComparison.Ordinal) || l.Contains("stop timed out", StringComparison.Ordinal));
        Assert.DoesNotContain(service.Lines, l => l.Contains("(null)", StringComparison.Ordinal) || l.Contains("+00:00", StringComparison.Ordinal));
        Assert.All(service.Lines, l => Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) ", l));
        Assert.DoesNotContain(service.Lines, l => l.Contains(" WARNING ", StringComparison.Ordinal) && !l.Contains("cancelled by shutdown", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Service_CommandRun_GetsTheRunsEnvironmentAndLogsABoundedTail()
    {
        _dir.Write("env.json", """
            { "job_id": "env", "schedule": "* * * * * *", "max_concurrency": 1,
              "task": { "type": "execute_command", "shell": true,
                        "command": "seq 1 50; echo \"id=$CHRONOFLOW_JOB_ID time=$CHRONOFLOW_SCHEDULED_TIME attempt=$CHRONOFLOW_ATTEMPT run=$CHRONOFLOW_RUN_ID node=$CHRONOFLOW_NODE\"" } }
            """);
        using var service = SampleProcess.Start("ChronoFlow.Service", "--jobs-dir", _dir.Path, "--node", "e2e-node");

        var env = await service.WaitForLineAsync(l => l.Contains("Job env stdout: id=env", StringComparison.Ordinal));
        var success = await service.WaitForLineAsync(l => l.Contains("Job env run scheduled", StringComparison.Ordinal) && l.Contains("SUCCESS", StringComparison.Ordinal));

        var scheduled = System.Text.RegularExpressions.Regex.Match(success, @"run scheduled (\S+):").Groups[1].Value;
        Assert.Matches(@"time=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.0000000Z attempt=1 run=[1-9][0-9]* node=e2e-node$", env);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", scheduled);
        var runs = service.Lines.TakeWhile(l => l != success).ToList();
        Assert.Contains(runs, l => l.Contains("Job env output: 51 line(s), the last 20 follow", StringComparison.Ordinal));
        Assert.Contains(runs, l => l.EndsWith("Job env stdout: 32", StringComparison.Ordinal));
        Assert.DoesNotContain(runs, l => l.EndsWith("Job env stdout: 31", StringComparison.Ordinal));
        service.Signal(SampleProcess.SigTerm);
        Assert.Equal(0, await service.WaitForExitAsync());
    }

    [LinuxFact]
    public async Task Service_MissingJobsDirectory_FailsAtStartWithExitCodeOne()
    {
        // Issue 9: it used to log an error, then "service started ... 0 job(s)", and exit 0 at the end.
        var missing = _dir.File("absent");
        using var service = SampleProcess.Start("ChronoFlow.Service", "--jobs-dir", missing);

        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains(service.Lines, l => l.Contains($"ChronoFlow service cannot start: the jobs directory {missing} does not exist", StringComparison.Ordinal));
        Assert.DoesNotContain(service.Lines, l => l.Contains("service started", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Check_BrokenFileWrittenJustNow_IsInvalidAtOnce()
    {
        // Issue 9: a file written in the last two seconds was taken for one still being written, so --check said OK.
        _dir.Write("fresh.json", """{ "job_id": "fresh", "schedule": "@daily", """);
        using var service = SampleProcess.Start("ChronoFlow.Service", "--check", "--jobs-dir", _dir.Path);

        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains(service.ErrorLines, l => l.StartsWith("invalid: " + _dir.File("fresh.json") + ": line 1", StringComparison.Ordinal));
        Assert.Contains("INVALID: 1 error(s), 0 valid job(s)", service.Lines);
    }

    [LinuxFact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Check_SampleJobsClonedWithUmask002_AreAccepted()
    {
        // Issue 9: a clone made with umask 002 has group-writable files; their group is the owner's private group, so
        // nobody else can write them, and the README's command must work on such a clone.
        foreach (var file in Directory.GetFiles(Path.Combine(SampleProcess.RepositoryRoot, "samples", "jobs.d"), "*.json"))
        {
            var copy = _dir.Write(Path.GetFileName(file), File.ReadAllText(file));
            File.SetUnixFileMode(copy, (UnixFileMode)Convert.ToInt32("664", 8));
        }

        using var service = SampleProcess.Start("ChronoFlow.Service", "--check", "--jobs-dir", _dir.Path);
        var exitCode = await service.WaitForExitAsync();

        Assert.True(exitCode == 0, string.Join('\n', service.Lines.Concat(service.ErrorLines)));
        Assert.Contains(service.Lines, l => l.StartsWith("OK: 5 job(s)", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Service_StoreWithoutItsTarget_IsAUsageErrorThatSaysWhatToWrite()
    {
        using var service = SampleProcess.Start("ChronoFlow.Service", "--jobs-dir", _dir.Path, "--store", "postgresql:");

        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains(service.ErrorLines, l => l.Contains("postgresql needs a connection string, as in postgresql:Host=", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Service_PostgreSqlStoreThatCannotBeReached_FailsToStart_NamingHostAndDatabase_NotThePassword()
    {
        // Port 1 on loopback: nothing listens there, so the connection is refused at once.
        using var service = SampleProcess.Start("ChronoFlow.Service", "--jobs-dir", _dir.Path, "--store", "postgresql:Host=127.0.0.1;Port=1;Database=jobs;Username=u;Password=s3cret;Timeout=5");

        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        var line = Assert.Single(service.Lines, l => l.Contains("ChronoFlow service cannot start", StringComparison.Ordinal));
        Assert.Contains("127.0.0.1:1/jobs", line, StringComparison.Ordinal);
        Assert.DoesNotContain(service.Lines.Concat(service.ErrorLines), l => l.Contains("s3cret", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Service_StoreThatCannotBeOpened_FailsToStart_NamingTheFile()
    {
        // A regular file where the database's directory should be: no user, root included, can create it.
        var blocker = _dir.Write("not-a-directory", "x");
        var path = Path.Combine(blocker, "state.db");
        using var service = SampleProcess.Start("ChronoFlow.Service", "--jobs-dir", _dir.Path, "--store", "sqlite:" + path);

        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        var line = Assert.Single(service.Lines, l => l.Contains("ChronoFlow service cannot start", StringComparison.Ordinal));
        Assert.Contains(path, line, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task Service_Restart_NeverRerunsAOneTimeJob_KeepsCounts_AndStatusAndHistoryShowIt()
    {
        var store = "sqlite:" + _dir.File("state.db");
        var jobs = Directory.CreateDirectory(_dir.File("jobs")).FullName;
        var soon = DateTimeOffset.UtcNow.AddSeconds(2).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        _dir.Write("jobs/once.json", $$"""{ "job_id": "once-soon", "schedule": "{{soon}}", "task": { "type": "execute_command", "command": "/bin/echo once-ran" } }""");

        using (var first = SampleProcess.Start("ChronoFlow.Service", "--jobs-dir", jobs, "--store", store, "--node", "first"))
        {
            await first.WaitForLineAsync(l => l.Contains("Job once-soon run scheduled", StringComparison.Ordinal) && l.Contains("SUCCESS", StringComparison.Ordinal));
            first.Signal(SampleProcess.SigTerm);
            Assert.Equal(0, await first.WaitForExitAsync());
        }

        using (var second = SampleProcess.Start("ChronoFlow.Service", "--jobs-dir", jobs, "--store", store, "--node", "second"))
        {
            // The per-job status line at start shows the stored state: completed, one run, nothing owed.
            var status = await second.WaitForLineAsync(l => l.Contains("Status: job once-soon", StringComparison.Ordinal));
            Assert.Contains("Completed", status, StringComparison.Ordinal);
            Assert.Contains("runs 1,", status, StringComparison.Ordinal);
            second.Signal(SampleProcess.SigTerm);
            Assert.Equal(0, await second.WaitForExitAsync());
            Assert.DoesNotContain(second.Lines, l => l.Contains("once-ran", StringComparison.Ordinal));
            Assert.DoesNotContain(second.Lines, l => l.Contains("missed", StringComparison.OrdinalIgnoreCase));
        }

        using (var status = SampleProcess.Start("ChronoFlow.Service", "status", "--store", store))
        {
            Assert.Equal(0, await status.WaitForExitAsync());
            var row = Assert.Single(status.Lines, l => l.StartsWith("once-soon", StringComparison.Ordinal));
            Assert.Matches(@"^once-soon\s+\S+\s+completed\s+-\s+\S+Z\s+Succeeded\s+1\s+0\s+0\s+0\s+0$", row);
        }

        using (var history = SampleProcess.Start("ChronoFlow.Service", "history", "once-soon", "-n", "5", "--store", store))
        {
            Assert.Equal(0, await history.WaitForExitAsync());
            var run = Assert.Single(history.Lines, l => l.Contains("Succeeded", StringComparison.Ordinal));
            Assert.Contains(soon, run, StringComparison.Ordinal);
            Assert.Contains(" first", run, StringComparison.Ordinal);
        }
    }

    [LinuxFact]
    public async Task Nodes_ShowsTheServiceRunningWhileItRuns_AndStoppedOnceItStopped()
    {
        var store = "sqlite:" + _dir.File("state.db");
        var jobs = Directory.CreateDirectory(_dir.File("jobs")).FullName;
        _dir.Write("jobs/yearly.json", """{ "job_id": "yearly", "schedule": "0 0 1 1 *", "task": { "type": "execute_command", "command": "/bin/true" } }""");
        var header = @"^NODE\s+HOST:PID\s+STATUS\s+LAST SEEN\s+JOBS\s+RUNNING\s+VERSION$";

        using (var service = SampleProcess.Start("ChronoFlow.Service", "--jobs-dir", jobs, "--store", store, "--node", "worker-1"))
        {
            await service.WaitForLineAsync(l => l.Contains("ChronoFlow service started", StringComparison.Ordinal));
            var row = $@"^worker-1\s+{System.Text.RegularExpressions.Regex.Escape(Environment.MachineName)}:{service.Id}\s+";

            using (var nodes = SampleProcess.Start("ChronoFlow.Service", "nodes", "--store", store))
            {
                Assert.Equal(0, await nodes.WaitForExitAsync());
                Assert.Matches(header, nodes.Lines[0]);
                Assert.Matches(row + @"running\s+\d+ s ago\s+1\s+0\s+\d+\.\d+\.\d+\S*$", Assert.Single(nodes.Lines, l => l.StartsWith("worker-1", StringComparison.Ordinal)));
                Assert.Equal($"1 process(es) in {_dir.File("state.db")}: 1 running, 0 stopped, 0 lost", nodes.Lines[^1]);
            }

            service.Signal(SampleProcess.SigTerm);
            Assert.Equal(0, await service.WaitForExitAsync());

            using (var nodes = SampleProcess.Start("ChronoFlow.Service", "nodes", "--store", store))
            {
                Assert.Equal(0, await nodes.WaitForExitAsync());
                Assert.Matches(row + @"stopped\s+\d+ s ago\s+1\s+0\s+\S+$", Assert.Single(nodes.Lines, l => l.StartsWith("worker-1", StringComparison.Ordinal)));
                Assert.Equal($"1 process(es) in {_dir.File("state.db")}: 0 running, 1 stopped, 0 lost", nodes.Lines[^1]);
            }
        }
    }

    [LinuxFact]
    public async Task Nodes_WithTheMemoryStore_SaysThereIsNothingToRead_AndExits1()
    {
        using var nodes = SampleProcess.Start("ChronoFlow.Service", "nodes", "--store", "memory");

        Assert.Equal(1, await nodes.WaitForExitAsync());
        Assert.Contains(nodes.ErrorLines, l => l.Contains("nothing to read", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Service_Dashboard_ServesTheJobsTheMetricsAndRefusesAnUnprotectedPost()
    {
        _dir.Write("tick.json", """{ "job_id": "tick", "schedule": "* * * * * *", "task": { "type": "execute_command", "command": "/bin/true" } }""");
        var port = FreePort();
        using var service = SampleProcess.Start("ChronoFlow.Service", "--jobs-dir", _dir.Path, "--dashboard", $"127.0.0.1:{port}");
        await service.WaitForLineAsync(l => l.Contains("Job tick run scheduled", StringComparison.Ordinal) && l.Contains("SUCCESS", StringComparison.Ordinal));
        Assert.Contains(service.Lines, l => l.Contains($"Dashboard at http://127.0.0.1:{port}/chronoflow/", StringComparison.Ordinal));

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
        using var jobs = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("chronoflow/api/jobs"));
        var tick = Assert.Single(jobs.RootElement.EnumerateArray());
        Assert.Equal("tick", tick.GetProperty("id").GetString());
        Assert.Equal("* * * * * *", tick.GetProperty("schedule").GetString());
        Assert.Equal("Succeeded", tick.GetProperty("lastOutcome").GetString());

        var page = await http.GetAsync("chronoflow/");
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("script-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        var metrics = await http.GetStringAsync("metrics");
        Assert.Contains("chronoflow_job_runs", metrics, StringComparison.Ordinal);
        Assert.Contains("chronoflow_job_id=\"tick\"", metrics, StringComparison.Ordinal);

        // No antiforgery token: refused, and the job is not paused.
        var pause = await http.PostAsync("chronoflow/api/jobs/tick/pause", null);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, pause.StatusCode);
        using var after = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync("chronoflow/api/jobs/tick"));
        Assert.False(after.RootElement.GetProperty("paused").GetBoolean());

        service.Signal(SampleProcess.SigTerm);
        Assert.Equal(0, await service.WaitForExitAsync());
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LinuxFact]
    public async Task RunDue_RunsWhatFellDue_ThenNothing_AndExitsNonZeroWhenARunFails()
    {
        var store = "sqlite:" + _dir.File("state.db");
        var jobs = Directory.CreateDirectory(_dir.File("jobs")).FullName;
        var past = DateTimeOffset.UtcNow.AddSeconds(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        _dir.Write("jobs/ok.json", $$"""{ "job_id": "ok", "schedule": "{{past}}", "task": { "type": "execute_command", "command": "/bin/echo ok-ran" } }""");

        _dir.Write("jobs/boot.json", """{ "job_id": "boot", "schedule": "@reboot", "task": { "type": "execute_command", "command": "/bin/echo boot-ran" } }""");

        using (var first = SampleProcess.Start("ChronoFlow.Service", "run-due", "--jobs-dir", jobs, "--store", store))
        {
            Assert.Equal(0, await first.WaitForExitAsync());

            // A run-due is no start of the service: @reboot jobs wait for one.
            Assert.DoesNotContain(first.Lines, l => l.Contains("boot-ran", StringComparison.Ordinal));
            Assert.Contains(first.Lines, l => l.Contains("Job ok stdout: ok-ran", StringComparison.Ordinal));
            Assert.Contains(first.Lines, l => l.Contains("run-due: 1 run(s) started: 1 succeeded, 0 failed", StringComparison.Ordinal));
        }

        // Ran already, by the store: the next run-due owes it nothing. A failing job makes the exit code 1.
        _dir.Write("jobs/bad.json", $$"""{ "job_id": "bad", "schedule": "{{past}}", "task": { "type": "execute_command", "command": "/bin/false" } }""");
        using (var second = SampleProcess.Start("ChronoFlow.Service", "run-due", "--jobs-dir", jobs, "--store", store))
        {
            Assert.Equal(1, await second.WaitForExitAsync());
            Assert.DoesNotContain(second.Lines, l => l.Contains("ok-ran", StringComparison.Ordinal));
            Assert.Contains(second.Lines, l => l.Contains("run-due: 1 run(s) started: 0 succeeded, 1 failed", StringComparison.Ordinal));
        }
    }

    [LinuxFact]
    public async Task Check_SampleJobsDirectory_ExitsZeroAndPrintsNextRuns()
    {
        using var service = SampleProcess.Start("ChronoFlow.Service", "--check", "--jobs-dir", Path.Combine(SampleProcess.RepositoryRoot, "samples", "jobs.d"));

        var exitCode = await service.WaitForExitAsync();

        Assert.True(exitCode == 0, string.Join('\n', service.Lines.Concat(service.ErrorLines)));
        Assert.Contains("daily-report: 0 1 * * *", service.Lines);
        Assert.Contains("frequent-task: */5 * * * *", service.Lines);
        Assert.Contains("onetime-cleanup: 2027-01-01T02:00:00Z", service.Lines);
        var daily = service.Lines.ToList().IndexOf("daily-report: 0 1 * * *");
        Assert.All(service.Lines.Skip(daily + 1).Take(5), l => Assert.Matches(@"^  \d{4}-\d\d-\d\dT01:00:00Z$", l));

        // The calendar event: 09:00 Berlin time on weekdays, so 08:00Z in winter and 07:00Z in summer.
        var greeting = service.Lines.ToList().IndexOf("weekday-greeting: Mon..Fri *-*-* 09:00:00 (Europe/Berlin)");
        Assert.True(greeting >= 0, string.Join('\n', service.Lines));
        Assert.All(service.Lines.Skip(greeting + 1).Take(5), l =>
        {
            Assert.Matches(@"^  \d{4}-\d\d-\d\dT0[78]:00:00Z$", l);
            Assert.DoesNotContain(DateTimeOffset.Parse(l.Trim(), System.Globalization.CultureInfo.InvariantCulture).DayOfWeek, (DayOfWeek[])[DayOfWeek.Saturday, DayOfWeek.Sunday]);
        });
        Assert.Contains(service.Lines, l => l.StartsWith("OK: 5 job(s)", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Check_BadFile_ExitsNonZeroNamingFileAndField()
    {
        _dir.Write("good.json", """{ "job_id": "good", "schedule": "@daily", "task": { "type": "execute_command", "command": "/bin/true" } }""");
        _dir.Write("report.json", """{ "job_id": "report", "schedule": "61 * * * *", "task": { "type": "execute_command", "command": "/bin/true" } }""");
        using var service = SampleProcess.Start("ChronoFlow.Service", "--check", "--jobs-dir", _dir.Path);

        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains(service.ErrorLines, l => l.Contains("report.json: $.schedule: minute: 61 is out of range 0-59", StringComparison.Ordinal));
        Assert.Contains("good: @daily", service.Lines);

        // Each error once in all the output (it used to come through the log as well as the listing).
        var all = service.Lines.Concat(service.ErrorLines).ToList();
        Assert.Single(all, l => l.Contains("report.json: $.schedule: minute: 61 is out of range 0-59", StringComparison.Ordinal));
        Assert.Contains("INVALID: 1 error(s), 1 valid job(s)", service.Lines);
    }

    [LinuxFact]
    public async Task Check_BadFileAndWarning_PrintsTheErrorOnceAndTheWarningOnce()
    {
        _dir.Write("extra.json", """{ "job_id": "extra", "schedule": "@daily", "colour": "red", "task": { "type": "execute_command", "command": "/bin/true" } }""");
        _dir.Write("broken.json", """{ "job_id": "broken", "schedule": "@daily", "task": { "type": "execute_command" } }""");
        using var service = SampleProcess.Start("ChronoFlow.Service", "--check", "--jobs-dir", _dir.Path);

        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        var all = service.Lines.Concat(service.ErrorLines).ToList();
        Assert.Equal(
            ["invalid: " + _dir.File("broken.json") + ": $.task: \"command\" (a command line) or \"args\" (an array of strings) is required"],
            all.Where(l => l.Contains("broken.json", StringComparison.Ordinal)));
        Assert.Single(all, l => l.Contains("extra.json: $.colour: unknown field, ignored", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Check_MissingJobsDirectory_ExitsNonZeroWithOneError()
    {
        var missing = _dir.File("absent");
        using var service = SampleProcess.Start("ChronoFlow.Service", "--check", "--jobs-dir", missing);

        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        Assert.Single(service.Lines.Concat(service.ErrorLines), l => l.Contains(missing + ": the jobs directory does not exist", StringComparison.Ordinal));
        Assert.Contains("INVALID: 1 error(s), 0 valid job(s)", service.Lines);
    }

    [LinuxFact]
    public async Task Service_UnknownOption_ExitsWithUsageError()
    {
        using var service = SampleProcess.Start("ChronoFlow.Service", "--jobs-directory", _dir.Path);

        var exitCode = await service.WaitForExitAsync();

        // System.CommandLine reads the command line now: its message, with the usage-error exit code kept at 2.
        Assert.Equal(2, exitCode);
        Assert.Contains(service.ErrorLines, l => l.Contains("Unrecognized command or argument '--jobs-directory'", StringComparison.Ordinal));
    }
}
