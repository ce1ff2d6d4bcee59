using System.Diagnostics;
using System.Text;
using ChronoFlow.Definitions;
using ChronoFlow.Tests.Definitions;

namespace ChronoFlow.Tests.Samples;

/// <summary>
/// Scripted end-to-end tests of samples/ChronoFlow.Service: the built service runs as its own process on a real
/// temporary jobs directory, and the tests read its console log.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ServiceProcessTests : IDisposable
{
    private const int SigTerm = 15;
    private const int SigInt = 2;

    // Generous: the machine is shared and a cold `dotnet` start can take seconds.
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [LinuxFact]
    public async Task Service_DroppedJobFile_RunsAndLogsSuccess_ThenStopsCleanlyOnSigterm()
    {
        using var service = ServiceProcess.Start("--jobs-dir", _dir.Path);
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

        Assert.Equal(0, NativeMethods.kill(service.Id, SigTerm));
        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains(service.Lines, l => l.Contains("Stopping on SIGTERM", StringComparison.Ordinal));
        Assert.Contains(service.Lines, l => l.Contains("ChronoFlow service stopped", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Service_CtrlCWithCommandRunning_StopsTheCommandAndExitsCleanly()
    {
        _dir.Write("slow.json", """{ "job_id": "slow", "schedule": "* * * * * *", "task": { "type": "execute_command", "command": "/bin/sleep 600" } }""");
        using var service = ServiceProcess.Start("--jobs-dir", _dir.Path, "--log-level", "DEBUG");
        await service.WaitForLineAsync(l => l.Contains("Job slow run scheduled", StringComparison.Ordinal) && l.Contains("started", StringComparison.Ordinal));

        Assert.Equal(0, NativeMethods.kill(service.Id, SigInt));
        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains(service.Lines, l => l.Contains("Job slow run scheduled", StringComparison.Ordinal) && l.Contains("FAILURE (cancelled by shutdown)", StringComparison.Ordinal));
        Assert.Contains(service.Lines, l => l.Contains("ChronoFlow service stopped", StringComparison.Ordinal));
    }

    [LinuxFact]
    public async Task Check_SampleJobsDirectory_ExitsZeroAndPrintsNextRuns()
    {
        using var service = ServiceProcess.Start("--check", "--jobs-dir", Path.Combine(ServiceProcess.RepositoryRoot, "samples", "jobs.d"));

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
        using var service = ServiceProcess.Start("--check", "--jobs-dir", _dir.Path);

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
        using var service = ServiceProcess.Start("--check", "--jobs-dir", _dir.Path);

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
        using var service = ServiceProcess.Start("--check", "--jobs-dir", missing);

        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        Assert.Single(service.Lines.Concat(service.ErrorLines), l => l.Contains(missing + ": the jobs directory does not exist", StringComparison.Ordinal));
        Assert.Contains("INVALID: 1 error(s), 0 valid job(s)", service.Lines);
    }

    [LinuxFact]
    public async Task Service_UnknownOption_ExitsWithUsageError()
    {
        using var service = ServiceProcess.Start("--jobs-directory", _dir.Path);

        var exitCode = await service.WaitForExitAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains(service.ErrorLines, l => l.Contains("unknown option \"--jobs-directory\"", StringComparison.Ordinal));
    }

    /// <summary>The service as a child process, its stdout and stderr collected line by line.</summary>
    private sealed class ServiceProcess : IDisposable
    {
        private readonly Process _process;
        private readonly List<string> _lines = [];
        private readonly List<string> _errorLines = [];
        private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Done)> _waiters = [];

        private ServiceProcess(Process process)
        {
            _process = process;
        }

        /// <summary>Gets the repository root: the test runs from tests/ChronoFlow.Tests/bin/CONFIG/TFM/.</summary>
        public static string RepositoryRoot => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

        public int Id => _process.Id;

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public IReadOnlyList<string> ErrorLines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _errorLines];
                }
            }
        }

        public static ServiceProcess Start(params string[] args)
        {
            var baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
            var tfm = Path.GetFileName(baseDir);
            var config = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
            var dll = Path.Combine(RepositoryRoot, "samples", "ChronoFlow.Service", "bin", config, tfm, "ChronoFlow.Service.dll");
            Assert.True(File.Exists(dll), "service not built: " + dll);
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                StandardOutputEncoding = Encoding.UTF8,
            };
            info.ArgumentList.Add(dll);
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            var process = new Process { StartInfo = info };
            var service = new ServiceProcess(process);
            process.OutputDataReceived += (_, e) => service.OnLine(e.Data, error: false);
            process.ErrorDataReceived += (_, e) => service.OnLine(e.Data, error: true);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return service;
        }

        public async Task<string> WaitForLineAsync(Func<string, bool> match)
        {
            var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_lines)
            {
                var seen = _lines.FirstOrDefault(match);
                if (seen is not null)
                {
                    return seen;
                }

                _waiters.Add((match, done));
            }

            try
            {
                return await done.Task.WaitAsync(s_guard);
            }
            catch (TimeoutException)
            {
                Assert.Fail("the expected line did not come; the service wrote:\n" + string.Join('\n', Lines.Concat(ErrorLines)));
                throw;
            }
        }

        public async Task<int> WaitForExitAsync()
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(s_guard);
            }
            catch (TimeoutException)
            {
                Assert.Fail("the service did not exit; it wrote:\n" + string.Join('\n', Lines.Concat(ErrorLines)));
            }

            // The exit event can come before the last lines: WaitForExit() without a timeout drains them.
            _process.WaitForExit();
            return _process.ExitCode;
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
            catch (InvalidOperationException)
            {
            }

            _process.Dispose();
        }

        private void OnLine(string? line, bool error)
        {
            if (line is null)
            {
                return;
            }

            List<TaskCompletionSource<string>>? matched = null;
            lock (_lines)
            {
                if (error)
                {
                    _errorLines.Add(line);
                    return;
                }

                _lines.Add(line);
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Match(line))
                    {
                        (matched ??= []).Add(_waiters[i].Done);
                        _waiters.RemoveAt(i);
                    }
                }
            }

            matched?.ForEach(d => d.TrySetResult(line));
        }
    }
}
