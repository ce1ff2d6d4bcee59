using System.Collections.Immutable;
using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace ChronoFlow.Files;

/// <summary>Which output stream a line came from.</summary>
internal enum CommandOutputStream
{
    StandardOutput,
    StandardError,
}

/// <summary>One line of a command's output, as handed to the log callback.</summary>
internal readonly record struct CommandOutputLine(CommandOutputStream Stream, string Text);

/// <summary>What to run: the argument vector (program first) and how.</summary>
internal sealed record CommandRunRequest
{
    /// <summary>The program and its arguments; each is passed to the program as is, through <see cref="ProcessStartInfo.ArgumentList"/>.</summary>
    public required ImmutableArray<string> Arguments { get; init; }

    /// <summary>Variables set (or replaced) on top of the service's own environment.</summary>
    public IReadOnlyDictionary<string, string>? Environment { get; init; }

    public string? WorkingDirectory { get; init; }

    public string? StandardInput { get; init; }

    /// <summary>The most bytes of stdout and stderr together kept (and logged) per run.</summary>
    public long OutputLimit { get; init; } = CommandRunner.DefaultOutputLimit;

    /// <summary>How long the run may take before it is stopped; <see langword="null"/> for no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>How long a stopped command has between SIGTERM and SIGKILL.</summary>
    public TimeSpan KillGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Where a shell command would be run on Windows (<c>cmd.exe</c>); set only by <see cref="CommandRunner.CreateRequest"/>.</summary>
    internal string? WindowsShellCommand { get; init; }
}

/// <summary>How a command run ended.</summary>
internal sealed record CommandRunResult
{
    /// <summary>The exit code, or <see langword="null"/> when the program could not be started.</summary>
    public int? ExitCode { get; init; }

    public TimeSpan Duration { get; init; }

    public string StandardOutput { get; init; } = string.Empty;

    public string StandardError { get; init; } = string.Empty;

    /// <summary>Output beyond <see cref="CommandRunRequest.OutputLimit"/> was dropped (<see cref="DroppedBytes"/> bytes).</summary>
    public bool OutputTruncated => DroppedBytes > 0;

    public long DroppedBytes { get; init; }

    /// <summary>The run was stopped because it took longer than its timeout.</summary>
    public bool TimedOut { get; init; }

    /// <summary>The run was stopped because the caller's token was cancelled (for example at shutdown).</summary>
    public bool Cancelled { get; init; }

    /// <summary>The command (or something it started) ignored SIGTERM for the grace period and got SIGKILL.</summary>
    public bool Killed { get; init; }

    /// <summary>Why the program could not be started, or <see langword="null"/>.</summary>
    public string? StartError { get; init; }

    /// <summary>Success is exit code 0 of a run that was not stopped.</summary>
    public bool Succeeded => ExitCode == 0 && !TimedOut && !Cancelled && StartError is null;
}

/// <summary>
/// Runs <c>execute_command</c> tasks as child processes, never through a shell unless the definition asks for one.
/// </summary>
/// <remarks>
/// <para>
/// <b>Process tree.</b> On Linux and other Unix systems that have <c>setsid</c> (util-linux, BusyBox), the program
/// is started as <c>setsid PROGRAM ARGS...</c>. A child of .NET is never a process-group leader, so <c>setsid</c>
/// does not fork: it makes the process the leader of a new session and process group whose id is the process id,
/// then executes the program in place. Everything the command starts stays in that group unless it leaves on
/// purpose, so stopping the run signals the whole group: SIGTERM, then SIGKILL after
/// <see cref="CommandRunRequest.KillGracePeriod"/>. The group is confirmed with <c>getpgid</c> before signalling;
/// without <c>setsid</c> (or when the check fails) the runner sends SIGTERM to the process itself and then uses
/// <see cref="Process.Kill(bool)"/> on the whole tree. On Windows there is no SIGTERM:
/// <see cref="Process.Kill(bool)"/> ends the tree at once.
/// </para>
/// <para>
/// <b>Output.</b> stdout and stderr are read as bytes; at most <see cref="CommandRunRequest.OutputLimit"/> bytes of
/// the two together are kept and handed to the log callback line by line (UTF-8); the rest is read and dropped
/// (counted in <see cref="CommandRunResult.DroppedBytes"/>) so the command never blocks on a full pipe. After the
/// program exits, output still held open by a background process is read for at most
/// <see cref="OutputDrainTimeout"/>. Background processes left behind by a command that exited by itself are not
/// killed (as in cron).
/// </para>
/// <para>
/// <b>Environment.</b> The child inherits the service's environment with the definition's variables on top;
/// standard input is the definition's text or empty (never the service's own stdin).
/// </para>
/// </remarks>
/// <threadsafety>Instances are stateless apart from the time provider; <see cref="RunAsync"/> may be called concurrently.</threadsafety>
internal sealed class CommandRunner(TimeProvider timeProvider)
{
    public const long DefaultOutputLimit = 1024 * 1024;

    public static readonly TimeSpan OutputDrainTimeout = TimeSpan.FromSeconds(2);

    private const int SigKill = 9;
    private const int SigTerm = 15;

    private static readonly string? s_setsidPath = OperatingSystem.IsWindows() ? null : FindSetsid();

    private readonly TimeProvider _timeProvider = timeProvider;

    /// <summary>Whether runs on this machine get their own process group (Unix with <c>setsid</c>).</summary>
    public static bool UsesProcessGroups => s_setsidPath is not null;

    /// <summary>Builds the request for validated <c>execute_command</c> settings.</summary>
    public static CommandRunRequest CreateRequest(CommandTaskSettings settings, TimeSpan? timeout)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ImmutableArray<string> arguments;
        string? windowsShell = null;
        if (settings.Shell)
        {
            if (OperatingSystem.IsWindows())
            {
                arguments = [System.Environment.GetEnvironmentVariable("ComSpec") ?? "cmd.exe"];
                windowsShell = settings.Command;
            }
            else
            {
                arguments = [settings.ShellPath ?? "/bin/sh", "-c", settings.Command ?? string.Empty];
            }
        }
        else
        {
            arguments = settings.Arguments;
        }

        return new CommandRunRequest
        {
            Arguments = arguments,
            Environment = settings.Environment,
            WorkingDirectory = settings.WorkingDirectory,
            StandardInput = settings.StandardInput,
            OutputLimit = settings.OutputLimit ?? DefaultOutputLimit,
            Timeout = timeout,
            WindowsShellCommand = windowsShell,
        };
    }

    /// <summary>Runs the command to its end, its timeout or the cancellation of <paramref name="cancellationToken"/>.</summary>
    /// <param name="request">What to run.</param>
    /// <param name="onOutput">Called with each output line within the cap, from a thread-pool thread; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run gracefully (SIGTERM, then SIGKILL).</param>
    public async Task<CommandRunResult> RunAsync(CommandRunRequest request, Action<CommandOutputLine>? onOutput = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = _timeProvider.GetTimestamp();
        var startInfo = CreateStartInfo(request, out var startError);
        if (startInfo is null)
        {
            return new CommandRunResult { StartError = startError, Duration = _timeProvider.GetElapsedTime(started) };
        }

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            return new CommandRunResult { StartError = $"cannot start \"{request.Arguments[0]}\": {ex.Message}", Duration = _timeProvider.GetElapsedTime(started) };
        }

        var capture = new OutputCapture(request.OutputLimit, onOutput);
        var stdoutTask = capture.PumpAsync(process.StandardOutput.BaseStream, CommandOutputStream.StandardOutput);
        var stderrTask = capture.PumpAsync(process.StandardError.BaseStream, CommandOutputStream.StandardError);
        var stdinTask = WriteInputAsync(process, request.StandardInput);

        using var timeoutSource = request.Timeout is { } t ? new CancellationTokenSource(t, _timeProvider) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);

        var timedOut = false;
        var cancelled = false;
        var killed = false;
        try
        {
            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            timedOut = timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested;
            cancelled = !timedOut;
            killed = await StopAsync(process, request.KillGracePeriod).ConfigureAwait(false);

            // Collect the exit status the signal left (128 + signal number on Unix); SIGKILL cannot be ignored.
            using var reap = new CancellationTokenSource(TimeSpan.FromSeconds(10), _timeProvider);
            try
            {
                await process.WaitForExitAsync(reap.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stuck in uninterruptible sleep (a hung NFS mount): report no exit code rather than wait forever.
            }
        }

        // Output held open by a background process must not hold the run forever.
        var drain = Task.WhenAll(stdoutTask, stderrTask, stdinTask);
        using (var drainTimeout = new CancellationTokenSource(OutputDrainTimeout, _timeProvider))
        {
            try
            {
                await drain.WaitAsync(drainTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                capture.Abandon();
            }
        }

        capture.Flush();
        return new CommandRunResult
        {
            ExitCode = process.HasExited ? process.ExitCode : null,
            Duration = _timeProvider.GetElapsedTime(started),
            StandardOutput = capture.Text(CommandOutputStream.StandardOutput),
            StandardError = capture.Text(CommandOutputStream.StandardError),
            DroppedBytes = capture.DroppedBytes,
            TimedOut = timedOut,
            Cancelled = cancelled,
            Killed = killed,
        };
    }

    private static ProcessStartInfo? CreateStartInfo(CommandRunRequest request, out string? error)
    {
        error = null;
        if (request.Arguments.IsDefaultOrEmpty || request.Arguments[0].Length == 0)
        {
            error = "no program to run";
            return null;
        }

        var info = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new UTF8Encoding(false),
            CreateNoWindow = true,
        };

        if (request.Environment is not null)
        {
            foreach (var pair in request.Environment)
            {
                info.Environment[pair.Key] = pair.Value;
            }
        }

        if (request.WorkingDirectory is not null)
        {
            if (!Directory.Exists(request.WorkingDirectory))
            {
                error = $"working directory \"{request.WorkingDirectory}\" does not exist";
                return null;
            }

            info.WorkingDirectory = request.WorkingDirectory;
        }

        var program = request.Arguments[0];
        if (request.WindowsShellCommand is not null)
        {
            // cmd.exe has its own command-line rules: /s /c "..." hands it the line as written, which is what the
            // definition asked for with "shell": true.
            info.FileName = program;
            info.Arguments = $"/d /s /c \"{request.WindowsShellCommand}\"";
            return info;
        }

        if (s_setsidPath is not null)
        {
            // setsid executes the program itself, so resolve it first to report a missing program clearly.
            var resolved = Resolve(program, info.Environment.TryGetValue("PATH", out var path) ? path : null, info.WorkingDirectory);
            if (resolved is null)
            {
                error = $"cannot start \"{program}\": no such executable file";
                return null;
            }

            info.FileName = s_setsidPath;
            info.ArgumentList.Add(resolved);
        }
        else
        {
            info.FileName = program;
        }

        for (var i = 1; i < request.Arguments.Length; i++)
        {
            info.ArgumentList.Add(request.Arguments[i]);
        }

        return info;
    }

    private static string? Resolve(string program, string? path, string? workingDirectory)
    {
        if (program.Contains('/', StringComparison.Ordinal))
        {
            var full = Path.IsPathRooted(program) ? program : Path.GetFullPath(program, string.IsNullOrEmpty(workingDirectory) ? Directory.GetCurrentDirectory() : workingDirectory);
            return IsExecutableFile(full) ? full : null;
        }

        foreach (var directory in (path ?? "/usr/local/bin:/usr/bin:/bin").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, program);
            if (IsExecutableFile(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }

    private static string? FindSetsid()
    {
        foreach (var candidate in (ReadOnlySpan<string>)["/usr/bin/setsid", "/bin/setsid", "/usr/sbin/setsid"])
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static async Task WriteInputAsync(Process process, string? input)
    {
        try
        {
            if (!string.IsNullOrEmpty(input))
            {
                await process.StandardInput.WriteAsync(input).ConfigureAwait(false);
                await process.StandardInput.FlushAsync().ConfigureAwait(false);
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The command closed its stdin or exited before reading it all: as with a shell pipe, that is its choice.
        }
    }

    /// <summary>SIGTERM the group (or tree), wait for the grace period, then SIGKILL. Returns whether SIGKILL was needed.</summary>
    private async Task<bool> StopAsync(Process process, TimeSpan grace)
    {
        if (OperatingSystem.IsWindows())
        {
            TryKillTree(process);
            return true;
        }

        var pid = process.Id;
        var group = s_setsidPath is not null && !process.HasExited && NativeMethods.getpgid(pid) == pid;
        if (group)
        {
            _ = NativeMethods.kill(-pid, SigTerm);
        }
        else if (!process.HasExited)
        {
            _ = NativeMethods.kill(pid, SigTerm);
        }

        using (var graceSource = new CancellationTokenSource(grace, _timeProvider))
        {
            try
            {
                await process.WaitForExitAsync(graceSource.Token).ConfigureAwait(false);

                // The leader is gone; give the rest of its group what is left of the grace period.
                while (group && NativeMethods.kill(-pid, 0) == 0)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(50), _timeProvider, graceSource.Token).ConfigureAwait(false);
                }

                return false;
            }
            catch (OperationCanceledException)
            {
                // The grace period is over.
            }
        }

        if (group)
        {
            var killedGroup = NativeMethods.kill(-pid, SigKill) == 0;
            if (!process.HasExited)
            {
                TryKillTree(process);
            }

            return killedGroup;
        }

        TryKillTree(process);
        return true;
    }

    private static void TryKillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception)
        {
            // Exited between the check and the kill, or not ours to kill any more.
        }
    }
}
