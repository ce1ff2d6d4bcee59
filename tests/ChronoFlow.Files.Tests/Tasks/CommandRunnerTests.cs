using System.Collections.Concurrent;
using System.Diagnostics;
using ChronoFlow.Files;

using ChronoFlow.Testing;

namespace ChronoFlow.Files.Tests;

[Trait("Category", "Integration")]
public class CommandRunnerTests
{
    private readonly CommandRunner _runner = new(TimeProvider.System);

    private static CommandRunRequest Sh(string script, TimeSpan? timeout = null) => new()
    {
        Arguments = ["/bin/sh", "-c", script],
        Timeout = timeout,
        KillGracePeriod = TimeSpan.FromSeconds(2),
    };

    private static bool IsAlive(int pid)
    {
        // A zombie (state Z) is dead: in a container nobody may reap a re-parented child.
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat))
        {
            return false;
        }

        try
        {
            var text = File.ReadAllText(stat);
            var state = text[(text.LastIndexOf(')') + 2)..][0];
            return state != 'Z' && state != 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }

    // A grandchild is not our child, so no wait() sees it end. A pidfd does: it becomes readable when the process
    // exits, so the test waits on that event instead of polling. The cap is generous for a loaded machine.
    private static Task<bool> EventuallyDeadAsync(int pid) => Task.Run(() =>
    {
        var fd = PidfdOpen(pid);
        if (fd < 0)
        {
            return true; // no such process: it is gone already
        }

        try
        {
            var poll = new PollFd { Fd = fd, Events = PollIn };
            return Poll(ref poll, 1, timeoutMs: 20_000) == 1 || !IsAlive(pid);
        }
        finally
        {
            _ = Close(fd);
        }
    });

    private const short PollIn = 1;

    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private static int PidfdOpen(int pid) => (int)Syscall(434 /* pidfd_open, the same number on every architecture */, pid, 0);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static extern long Syscall(long number, int pid, uint flags);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static extern int Poll(ref PollFd fds, ulong count, int timeoutMs);

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);

    [LinuxFact]
    public async Task RunAsync_Output_IsCapturedAndLogged()
    {
        var lines = new ConcurrentQueue<CommandOutputLine>();

        var result = await _runner.RunAsync(Sh("echo out1; echo err1 >&2; printf 'no newline'"), lines.Enqueue);

        Assert.True(result.Succeeded);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal("out1\nno newline", result.StandardOutput);
        Assert.Equal("err1\n", result.StandardError);
        Assert.False(result.OutputTruncated);
        Assert.Contains(new CommandOutputLine(CommandOutputStream.StandardOutput, "out1"), lines);
        Assert.Contains(new CommandOutputLine(CommandOutputStream.StandardError, "err1"), lines);
        Assert.Contains(new CommandOutputLine(CommandOutputStream.StandardOutput, "no newline"), lines);
    }

    [LinuxFact]
    public async Task RunAsync_NonZeroExit_IsFailureWithCode()
    {
        var result = await _runner.RunAsync(Sh("exit 3"));

        Assert.Equal(3, result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.False(result.TimedOut);
    }

    [LinuxFact]
    public async Task RunAsync_OutputOverCap_IsTruncatedAndDrained()
    {
        var lines = new ConcurrentQueue<CommandOutputLine>();
        var request = Sh("head -c 300000 /dev/zero | tr '\\0' 'a'; echo; echo done >&2") with { OutputLimit = 1000 };

        var result = await _runner.RunAsync(request, lines.Enqueue);

        Assert.Equal(0, result.ExitCode);
        Assert.True(result.OutputTruncated);
        Assert.Equal(1000, result.StandardOutput.Length + result.StandardError.Length);
        Assert.Equal(300001 + 5 - 1000, result.DroppedBytes);
        Assert.Equal(1000, lines.Sum(l => l.Text.Length));
    }

    [LinuxFact]
    public async Task RunAsync_NoShell_PassesShellSyntaxLiterally()
    {
        using var dir = new TempDirectory();
        var victim = dir.Write("victim", "keep me");
        var marker = dir.File("marker");
        var command = $"/bin/echo \"; rm -rf {victim}\" ; touch {marker} $HOME `id`";
        Assert.Null(CommandLineSplitter.TrySplit(command, out var args));
        var request = CommandRunner.CreateRequest(new CommandTaskSettings { Command = command, Arguments = args }, null);

        var result = await _runner.RunAsync(request);

        Assert.True(result.Succeeded);
        Assert.Equal($"; rm -rf {victim} ; touch {marker} $HOME `id`\n", result.StandardOutput);
        Assert.True(File.Exists(victim));
        Assert.False(File.Exists(marker));
    }

    [LinuxFact]
    public async Task RunAsync_ShellTrue_RunsThroughShell()
    {
        var request = CommandRunner.CreateRequest(new CommandTaskSettings { Command = "echo a; echo $((2+3)) | cat", Shell = true }, null);

        var result = await _runner.RunAsync(request);

        Assert.Equal("a\n5\n", result.StandardOutput);
    }

    [LinuxFact]
    public async Task RunAsync_EnvironmentWorkingDirectoryAndStdin_AreApplied()
    {
        using var dir = new TempDirectory();
        var request = Sh("echo \"$CF_TEST_VAR\"; pwd; cat") with
        {
            Environment = new Dictionary<string, string> { ["CF_TEST_VAR"] = "from definition" },
            WorkingDirectory = dir.Path,
            StandardInput = "line one\nline two\n",
        };

        var result = await _runner.RunAsync(request);

        Assert.Equal($"from definition\n{dir.Path}\nline one\nline two\n", result.StandardOutput);
    }

    [LinuxFact]
    public async Task RunAsync_MissingProgram_ReportsStartError()
    {
        var result = await _runner.RunAsync(new CommandRunRequest { Arguments = ["/nonexistent/chronoflow-program", "x"] });

        Assert.Null(result.ExitCode);
        Assert.False(result.Succeeded);
        Assert.Contains("/nonexistent/chronoflow-program", result.StartError, StringComparison.Ordinal);
    }

    [LinuxFact]
    public async Task RunAsync_Timeout_KillsWholeProcessTree()
    {
        using var dir = new TempDirectory();
        var pidFile = dir.File("pids");
        var script = $"sleep 120 & echo $! > {pidFile}; echo $$ >> {pidFile}; wait";

        var result = await _runner.RunAsync(Sh(script, TimeSpan.FromSeconds(1)));

        Assert.True(result.TimedOut);
        Assert.False(result.Succeeded);
        var pids = File.ReadAllLines(pidFile).Select(int.Parse).ToArray();
        Assert.Equal(2, pids.Length);
        Assert.True(await EventuallyDeadAsync(pids[0]), "the grandchild sleep survived");
        Assert.True(await EventuallyDeadAsync(pids[1]), "the shell survived");
        Assert.True(result.Duration < TimeSpan.FromSeconds(30));
    }

    [LinuxFact]
    public async Task RunAsync_TermIgnored_GetsKillAfterGrace()
    {
        using var dir = new TempDirectory();
        var pidFile = dir.File("pids");
        var script = $"trap '' TERM; sleep 120 & echo $! > {pidFile}; wait; sleep 120";

        var result = await _runner.RunAsync(Sh(script, TimeSpan.FromMilliseconds(500)) with { KillGracePeriod = TimeSpan.FromMilliseconds(500) });

        Assert.True(result.TimedOut);
        Assert.True(result.Killed);
        Assert.Equal(128 + 9, result.ExitCode);
        var child = int.Parse(File.ReadAllLines(pidFile)[0]);
        Assert.True(await EventuallyDeadAsync(child), "the grandchild that ignored SIGTERM survived");
    }

    [LinuxFact]
    public async Task RunAsync_Cancelled_StopsAndSaysSo()
    {
        using var cts = new CancellationTokenSource();
        var lines = new ConcurrentQueue<CommandOutputLine>();
        var run = _runner.RunAsync(Sh("echo ready; sleep 120"), line =>
        {
            lines.Enqueue(line);
            cts.Cancel();
        }, cts.Token);

        var result = await run.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(result.Cancelled);
        Assert.False(result.TimedOut);
        Assert.Equal("ready\n", result.StandardOutput);
    }

    [LinuxFact]
    public async Task RunAsync_BackgroundProcessHoldsOutput_DoesNotHoldRun()
    {
        var result = await _runner.RunAsync(Sh("sleep 60 & echo $!"));

        var pid = int.Parse(result.StandardOutput.Trim());
        try
        {
            Assert.Equal(0, result.ExitCode);
            Assert.True(result.Duration < TimeSpan.FromSeconds(30));
        }
        finally
        {
            Process.GetProcessById(pid).Kill();
        }
    }

    [LinuxFact]
    public async Task RunAsync_Child_LeadsItsOwnProcessGroup()
    {
        // Field 5 of /proc/PID/stat is the process group id; the shell's own pid is $$.
        var result = await _runner.RunAsync(Sh("echo $$; cut -d' ' -f5 /proc/$$/stat"));

        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Equal(lines[0], lines[1]);
        Assert.NotEqual(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), lines[1]);
    }

    [LinuxFact]
    public void UsesProcessGroups_OnLinuxWithSetsid_IsTrue()
    {
        Assert.True(CommandRunner.UsesProcessGroups);
    }
}
