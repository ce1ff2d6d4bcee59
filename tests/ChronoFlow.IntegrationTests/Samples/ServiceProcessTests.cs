
using ChronoFlow.Testing;

namespace ChronoFlow.IntegrationTests;

/// <summary>
/// Scripted end-to-end tests of samples/ChronoFlow.Service: the built service runs as its own process on a real
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
        Assert.Contains(service.Lines, l => l.StartsWith("OK: 4 job(s)", StringComparison.Ordinal));
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

        Assert.Equal(2, exitCode);
        Assert.Contains(service.ErrorLines, l => l.Contains("unknown option \"--jobs-directory\"", StringComparison.Ordinal));
    }
}
