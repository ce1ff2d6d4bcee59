using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace ChronoFlow.IntegrationTests.Probes;

/// <summary>
/// tests/ChronoFlow.CrashProbe (its command line is described at the top of its Program.cs), built next to the tests and
/// run as `dotnet ChronoFlow.CrashProbe.dll`, its stdout and stderr collected line by line. Disposing it kills it,
/// stopped (SIGSTOP) or not.
/// </summary>
internal sealed class ProbeProcess : IDisposable
{
    public const int SigTerm = 15;
    public const int SigCont = 18;
    public const int SigStop = 19;

    /// <summary>Generous: the machine is shared and a cold `dotnet` start can take seconds.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly ProcessOutput _output;

    private ProbeProcess(Process process)
    {
        _process = process;
        _output = new ProcessOutput(process);
    }

    public int Id => _process.Id;

    /// <summary>Gets the probe's node name in run history: probe-PID.</summary>
    public string Node => "probe-" + Id.ToString(CultureInfo.InvariantCulture);

    public IReadOnlyList<string> Lines => _output.Lines;

    public IReadOnlyList<string> ErrorLines => _output.ErrorLines;

    /// <summary>Gets the last lines it wrote, stdout then stderr, for an assertion's message.</summary>
    public string Output(int last = 20) => _output.Tail(last);

    /// <summary>Starts a probe with these arguments; with <paramref name="stdin"/>, its stdin is a pipe for <see cref="Go"/>.</summary>
    public static ProbeProcess Start(IEnumerable<string> args, bool stdin = false)
    {
        // The probe is built next to this test project: tests/ChronoFlow.CrashProbe/bin/<config>/<tfm>/.
        var baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var tfm = Path.GetFileName(baseDir);
        var config = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
        var testsDir = Path.GetFullPath(Path.Combine(baseDir, "..", "..", "..", ".."));
        var dll = Path.Combine(testsDir, "ChronoFlow.CrashProbe", "bin", config, tfm, "ChronoFlow.CrashProbe.dll");
        Assert.True(File.Exists(dll), "probe not built: " + dll);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info };
        var probe = new ProbeProcess(process);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return probe;
    }

    /// <summary>Waits until it says "ready" (its store is open and its scheduler started); fails when it exits first or the guard passes.</summary>
    public Task WaitReadyAsync(string what) => WaitForLineAsync("ready", what);

    /// <summary>Waits for a line on its stdout; fails when it exits first (its stderr says why) or the guard passes.</summary>
    public async Task WaitForLineAsync(string line, string what)
    {
        var seen = _output.LineAsync(l => l == line);
        bool ok;
        try
        {
            ok = await Task.WhenAny(seen, _process.WaitForExitAsync()).WaitAsync(Guard) == seen;
        }
        catch (TimeoutException)
        {
            ok = false;
        }

        Assert.True(ok, $"{what}: probe {Id} did not say '{line}'; it wrote:\n{Output(40)}");
    }

    /// <summary>Writes a line to its stdin: the start signal of a probe started with --wait-for-go.</summary>
    public void Go()
    {
        _process.StandardInput.WriteLine("go");
        _process.StandardInput.Flush();
    }

    /// <summary>Sends SIGKILL: on Unix, Process.Kill is kill(pid, SIGKILL), which the exit code (137) then confirms.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <summary>Sends a signal (<see cref="SigStop"/>, <see cref="SigCont"/>, <see cref="SigTerm"/>) and asserts that it was delivered.</summary>
    public void Signal(int signal) => Assert.True(ProcessOutput.Kill(_process.Id, signal) == 0, $"kill({Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");

    /// <summary>Stops it cleanly (SIGTERM: every run ends and is recorded) and returns its exit code, 0 when all went well.</summary>
    public Task<int> StopAsync(string what)
    {
        Signal(SigTerm);
        return WaitForExitAsync(what);
    }

    public async Task<int> WaitForExitAsync(string what)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(Guard);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{what}: probe {Id} did not exit; it wrote:\n{Output(40)}");
        }

        // The exit event can come before the last lines: WaitForExit() without a timeout drains them.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>Waits for a probe that stops by itself; kills it when it has not exited within the guard, and then returns null.</summary>
    public async Task<int?> TryWaitForExitAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(Guard);
        }
        catch (TimeoutException)
        {
            Kill();
            _process.WaitForExit();
            return null;
        }

        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                // A stopped process is continued first: it then dies of the SIGKILL at once, as any other.
                _ = ProcessOutput.Kill(_process.Id, SigCont);
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
