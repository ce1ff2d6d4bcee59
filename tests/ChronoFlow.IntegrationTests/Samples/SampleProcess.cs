using System.Diagnostics;
using System.Text;

using ChronoFlow.Testing;

namespace ChronoFlow.IntegrationTests;

/// <summary>
/// A built sample (samples/NAME, same configuration and framework as the tests) run as a child process, its stdout and
/// stderr collected line by line, for the scripted end-to-end tests.
/// </summary>
internal sealed class SampleProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    // Generous: the machine is shared and a cold `dotnet` start can take seconds.
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly TempDirectory _state = new();
    private readonly ProcessOutput _output;

    private SampleProcess(Process process)
    {
        _process = process;
        _output = new ProcessOutput(process);
    }

    /// <summary>Gets the repository root: the test runs from tests/ChronoFlow.Tests/bin/CONFIG/TFM/.</summary>
    public static string RepositoryRoot => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));

    public int Id => _process.Id;

    public IReadOnlyList<string> Lines => _output.Lines;

    public IReadOnlyList<string> ErrorLines => _output.ErrorLines;

    /// <summary>Starts samples/<paramref name="project"/>/bin/CONFIG/TFM/<paramref name="project"/>.dll (or src/...) with the arguments.</summary>
    public static SampleProcess Start(string project, params string[] args) => Start(project, input: null, args);

    /// <summary>Starts the sample as <see cref="Start(string, string[])"/> does, with <paramref name="input"/> as its whole standard input.</summary>
    public static SampleProcess StartWithInput(string project, string input, params string[] args) => Start(project, (string?)input, args);

    private static SampleProcess Start(string project, string? input, string[] args)
    {
        var baseDir = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var tfm = Path.GetFileName(baseDir);
        var config = Path.GetFileName(Path.GetDirectoryName(baseDir)!);
        // The samples live under samples/, the service (a shipped tool) under src/.
        var dll = ((string[])["samples", "src"])
            .Select(folder => Path.Combine(RepositoryRoot, folder, project, "bin", config, tfm, project + ".dll"))
            .FirstOrDefault(File.Exists) ?? Path.Combine(RepositoryRoot, "samples", project, "bin", config, tfm, project + ".dll");
        Assert.True(File.Exists(dll), "sample not built: " + dll);
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,

            // As if started from its own folder: a host's content root (appsettings.json) is the working directory.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = info };
        var sample = new SampleProcess(process);

        // A state directory of its own, as systemd's StateDirectory= gives: the service's default store lives there, so
        // no two tests share one (and none writes to /var/lib/chronoflow). Tests that restart pass --store themselves.
        info.Environment["STATE_DIRECTORY"] = sample._state.Path;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (input is not null)
        {
            process.StandardInput.Write(input);
            process.StandardInput.Close();
        }

        return sample;
    }

    /// <summary>Sends a signal (<see cref="SigInt"/> is Ctrl+C) and asserts that it was delivered.</summary>
    public void Signal(int signal) => Assert.Equal(0, ProcessOutput.Kill(_process.Id, signal));

    public async Task<string> WaitForLineAsync(Func<string, bool> match)
    {
        var done = _output.LineAsync(match);
        try
        {
            return await done.WaitAsync(s_guard);
        }
        catch (TimeoutException)
        {
            Assert.Fail("the expected line did not come; the process wrote:\n" + string.Join('\n', Lines.Concat(ErrorLines)));
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
            Assert.Fail("the process did not exit; it wrote:\n" + string.Join('\n', Lines.Concat(ErrorLines)));
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

        _process.WaitForExit(TimeSpan.FromSeconds(30));
        _process.Dispose();
        _state.Dispose();
    }
}
