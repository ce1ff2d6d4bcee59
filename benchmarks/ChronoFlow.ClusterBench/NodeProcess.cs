using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;

namespace ChronoFlow.ClusterBench;

/// <summary>
/// One node: this same program started again as a child process (<c>chronoflow-node</c> or <c>quartz-node</c>), spoken
/// to over its standard input and output. Every child ever started is tracked until it exits, so the orchestrator can
/// kill what is left on any exit path; a child whose standard input closes (its parent died, even by SIGKILL) stops
/// by itself.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private static readonly List<Process> s_live = [];
    private static string? s_pidFile;

    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<string> _snaps = Channel.CreateUnbounded<string>();
    private readonly Task _reader;

    private NodeProcess(string name, Process process)
    {
        Name = name;
        _process = process;
        _reader = Task.Run(ReadAsync);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                Console.Error.WriteLine($"[{name}] {line}");
            }
        };
        process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Pid => _process.Id;

    /// <summary>Where the pids of live children are written, for the shell script to kill should this process be killed.</summary>
    public static void UsePidFile(string? path) => s_pidFile = path;

    public static NodeProcess Start(string role, string name, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath ?? throw new InvalidOperationException("No process path."))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(role);
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        // The nodes are real processes of their own: each gets the runtime's defaults (workstation GC, as here).
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {name}.");
        lock (s_live)
        {
            s_live.Add(process);
            WritePidFile();
        }

        return new NodeProcess(name, process);
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        var done = await Task.WhenAny(_ready.Task, Task.Delay(timeout), _process.WaitForExitAsync());
        if (!_ready.Task.IsCompleted)
        {
            throw new InvalidOperationException(_process.HasExited
                ? $"{Name} exited with code {_process.ExitCode} before it was ready."
                : $"{Name} was not ready within {timeout.TotalSeconds:F0} s.");
        }

        await done;
    }

    /// <summary>Asks for the node's counters; the answer holds the latencies since the previous snapshot.</summary>
    public async Task<NodeSnapshot> SnapAsync()
    {
        await _process.StandardInput.WriteLineAsync("snap");
        await _process.StandardInput.FlushAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return NodeSnapshot.Parse(await _snaps.Reader.ReadAsync(timeout.Token));
    }

    /// <summary>
    /// Kills the node with SIGKILL (on Unix, <see cref="Process.Kill(bool)"/> is <c>kill(pid, SIGKILL)</c>) and waits until
    /// it has exited; returns the UTC ticks read just before the signal was sent.
    /// </summary>
    public async Task<long> KillNowAsync()
    {
        var at = DateTimeOffset.UtcNow.UtcTicks;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        return at;
    }

    /// <summary>Stops the node and waits for it; returns its final snapshot, or null when it had to be killed.</summary>
    public async Task<NodeSnapshot?> StopAsync(TimeSpan timeout)
    {
        try
        {
            await _process.StandardInput.WriteLineAsync("stop");
            await _process.StandardInput.FlushAsync();
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It is gone already.
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            await _reader;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"cluster: {Name} did not stop within {timeout.TotalSeconds:F0} s; killing it");
            Kill(_process);
            return null;
        }

        return _snaps.Reader.TryRead(out var last) ? NodeSnapshot.Parse(last) : null;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill(_process);
            await _process.WaitForExitAsync();
        }

        Forget(_process);
        _process.Dispose();
    }

    /// <summary>Kills every child still running; safe from any thread, on any exit path.</summary>
    public static void KillAll()
    {
        Process[] live;
        lock (s_live)
        {
            live = [.. s_live];
        }

        foreach (var p in live)
        {
            Kill(p);
        }
    }

    private static void Kill(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited meanwhile.
        }
    }

    private static void Forget(Process p)
    {
        lock (s_live)
        {
            s_live.Remove(p);
            WritePidFile();
        }
    }

    private static void WritePidFile()
    {
        if (s_pidFile is { } path)
        {
            File.WriteAllLines(path, s_live.Where(p => !p.HasExited).Select(p => p.Id.ToString(CultureInfo.InvariantCulture)));
        }
    }

    private async Task ReadAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line == "ready")
            {
                _ready.TrySetResult();
            }
            else if (line.StartsWith("snap ", StringComparison.Ordinal))
            {
                await _snaps.Writer.WriteAsync(line);
            }
            else
            {
                Console.Error.WriteLine($"[{Name}] {line}");
            }
        }

        _snaps.Writer.TryComplete();
    }
}

/// <summary>A node's answer to <c>snap</c>: its counters, and the start latencies since its previous answer.</summary>
internal sealed class NodeSnapshot
{
    public Dictionary<string, long> Counters { get; } = new(StringComparer.Ordinal);

    public LatencyHistogram Latency { get; private set; } = new();

    public long Get(string name) => Counters.GetValueOrDefault(name);

    public static NodeSnapshot Parse(string line)
    {
        var s = new NodeSnapshot();
        foreach (var part in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                continue;
            }

            var key = part[..eq];
            var value = part[(eq + 1)..];
            if (key == "hist")
            {
                s.Latency = LatencyHistogram.ParseSparse(value);
            }
            else if (long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                s.Counters[key] = n;
            }
        }

        return s;
    }
}
