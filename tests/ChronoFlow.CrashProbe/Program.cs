// A process for the crash and cluster tests (tests/ChronoFlow.IntegrationTests: Durability/, Cluster/): runs jobs on a
// hard-mode scheduler over a real store and notes each run in a marker file, until it is killed or told to stop.
//
// Usage: ChronoFlow.CrashProbe --store STORE --markers DIR --lease-ms N [OPTION ...]
//
//   --store sqlite:PATH | postgresql:CONNECTION_STRING
//                         the job store: everything after the first ':' is the SQLite file or the Npgsql connection string
//   --schema NAME         the PostgreSQL schema (default chronoflow)
//   --markers DIR         where this process writes markers-<pid>.txt
//   --lease-ms N          SchedulerOptions.LeaseDuration
//   --scenario NAME       what runs (default interval):
//                           interval      ten jobs due every 20 to 47 ms (Schedule.Every)
//                           every-second  --jobs jobs "job-0", "job-1", ... on the cron "* * * * * *"
//                           long-run      one job "long-run" at --at (Schedule.Once), whose run lasts --job-ms unless its
//                                         token is cancelled, and which recovers abandoned runs
//   --jobs N              every-second: how many jobs (default 10)
//   --at UNIX_MS          long-run: its one occurrence, in Unix milliseconds
//   --job-ms N            how long a run lasts unless its token is cancelled (long-run: default 5000; every-second:
//                         default 0, a run that only writes its marker; interval: ignored)
//   --skew-seconds S      the scheduler's clock is the system clock plus S seconds (S may be negative)
//   --run-ms N            stop cleanly after N ms and exit 0 (default: run until killed, or SIGTERM)
//   --wait-for-go         print "armed", then wait for a line on stdin before opening the store (simultaneous starts)
//
// The node is "probe-<pid>". Once the store is open and the scheduler started it prints "ready". Every run appends one
// line "jobId<TAB>scheduledUtcTicks<TAB>pid<TAB>event\n" to <DIR>/markers-<pid>.txt with a single pwrite(2), so that a
// kill -9 leaves whole lines behind it (at worst the last one torn). The event is "start" when a run starts; a run that
// lasts (--job-ms) also writes "finished" when it ends, or "cancelled" when its token fired (its lease was taken over,
// or shutdown), before it returns.
// In interval and every-second a killed run stays Abandoned (RecoverAbandoned = false), so every "start" is one start of
// one occurrence. SIGTERM (or the end of --run-ms) stops it cleanly: every run ends and is recorded, then it prints
// "stopped" and exits 0. A store that cannot be opened prints "start failed: ..." and exits 3; bad arguments exit 2. A
// probe whose parent (the test) died exits 4 within a second, so that a killed test leaves no probe running.
//
// For experiments, from the environment: CHRONOFLOW_PROBE_PEER_CLAIM_DELAY_MS sets SchedulerOptions.PeerClaimDelay
// (default: the option's default); CHRONOFLOW_PROBE_LOG=debug logs everything, with the time, and
// CHRONOFLOW_PROBE_LOG_DIR=DIR writes the log to DIR/probe-<pid>.log instead of stderr.
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using ChronoFlow;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

if (!ProbeArguments.TryParse(args, out var options, out var usageError))
{
    Console.Error.WriteLine(usageError);
    Console.Error.WriteLine("usage: ChronoFlow.CrashProbe --store sqlite:PATH|postgresql:CONNECTION_STRING [--schema NAME] --markers DIR --lease-ms N "
        + "[--scenario interval|every-second|long-run] [--jobs N] [--at UNIX_MS] [--job-ms N] [--skew-seconds S] [--run-ms N] [--wait-for-go]");
    return 2;
}

var pid = Environment.ProcessId;
OrphanGuard.Start();
var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    // A clean stop, not the default exit: the scheduler ends and records its runs first.
    context.Cancel = true;
    stop.TrySetResult();
});

using var markers = new MarkerFile(Path.Combine(options.Markers, $"markers-{pid.ToString(CultureInfo.InvariantCulture)}.txt"), pid);

var store = options.Store.StartsWith("sqlite:", StringComparison.Ordinal) ? Stores.Sqlite(options) : Stores.PostgreSql(options);
var scheduler = new JobScheduler(
    new SchedulerOptions
    {
        Mode = SchedulerMode.Hard,
        Store = store,
        NodeName = "probe-" + pid.ToString(CultureInfo.InvariantCulture),
        LeaseDuration = TimeSpan.FromMilliseconds(options.LeaseMs),
        PeerClaimDelay = Environment.GetEnvironmentVariable("CHRONOFLOW_PROBE_PEER_CLAIM_DELAY_MS") is { } delayMs ? TimeSpan.FromMilliseconds(int.Parse(delayMs, CultureInfo.InvariantCulture)) : new SchedulerOptions().PeerClaimDelay,
    },
    timeProvider: options.SkewSeconds == 0 ? null : new SkewedTimeProvider(TimeSpan.FromSeconds(options.SkewSeconds)),
    loggerFactory: new StderrLoggerFactory());

switch (options.Scenario)
{
    case "every-second":
    {
        // A killed run stays Abandoned: it is not run again, so every marker is one start of one occurrence.
        var jobOptions = new JobOptions { RecoverAbandoned = false };
        for (var i = 0; i < options.Jobs; i++)
        {
            scheduler.AddOrUpdate(
                "job-" + i.ToString(CultureInfo.InvariantCulture),
                Schedule.Cron("* * * * * *"),
                options.JobMs > 0 ? TimedRunAsync : markers.Start,
                jobOptions);
        }

        break;
    }

    case "long-run":
    {
        var jobOptions = new JobOptions { RecoverAbandoned = true };
        scheduler.AddOrUpdate("long-run", Schedule.Once(DateTimeOffset.FromUnixTimeMilliseconds(options.AtUnixMs)), TimedRunAsync, jobOptions);
        break;
    }

    default:
    {
        var jobOptions = new JobOptions { RecoverAbandoned = false };
        for (var i = 0; i < 10; i++)
        {
            scheduler.AddOrUpdate("job-" + i.ToString(CultureInfo.InvariantCulture), Schedule.Every(TimeSpan.FromMilliseconds(20 + (3 * i))), markers.Start, jobOptions);
        }

        break;
    }
}

if (options.WaitForGo)
{
    Console.WriteLine("armed");
    Console.Out.Flush();
    await Console.In.ReadLineAsync();
}

try
{
    await scheduler.StartAsync();
}
catch (JobStoreException ex)
{
    Console.WriteLine("start failed: " + ex.Message);
    Console.Out.Flush();
    await scheduler.DisposeAsync();
    return 3;
}

Console.WriteLine("ready");
Console.Out.Flush();

if (options.RunMs >= 0)
{
    await Task.WhenAny(stop.Task, Task.Delay(options.RunMs));
}
else
{
    // Until killed, or SIGTERM.
    await stop.Task;
}

await scheduler.StopAsync();
var status = scheduler.GetStatus();
await scheduler.DisposeAsync();
await ((IAsyncDisposable)store).DisposeAsync();
Console.WriteLine($"stopped: {status.JobCount} jobs");
return 0;

// A run that lasts --job-ms unless its token fires, and says which it was.
async ValueTask TimedRunAsync(JobContext context, CancellationToken cancellationToken)
{
    markers.Write(context, "start");
    try
    {
        await Task.Delay(options.JobMs, cancellationToken);
    }
    catch (OperationCanceledException)
    {
        markers.Write(context, "cancelled");
        throw;
    }

    markers.Write(context, "finished");
}

/// <summary>The command line; see the header of this file.</summary>
internal sealed class ProbeArguments
{
    public string Store { get; private set; } = "";

    public string Schema { get; private set; } = "chronoflow";

    public string Markers { get; private set; } = "";

    public int LeaseMs { get; private set; } = -1;

    public string Scenario { get; private set; } = "interval";

    public int Jobs { get; private set; } = 10;

    public long AtUnixMs { get; private set; } = -1;

    public int JobMs { get; private set; } = -1;

    public int SkewSeconds { get; private set; }

    public int RunMs { get; private set; } = -1;

    public bool WaitForGo { get; private set; }

    public static bool TryParse(string[] args, out ProbeArguments options, out string error)
    {
        var o = new ProbeArguments();
        options = o;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name == "--wait-for-go")
            {
                o.WaitForGo = true;
                continue;
            }

            var value = i + 1 < args.Length ? args[++i] : "";
            int number;
            var ok = true;
            switch (name)
            {
                case "--store" when value.StartsWith("sqlite:", StringComparison.Ordinal) || value.StartsWith("postgresql:", StringComparison.Ordinal):
                    o.Store = value;
                    break;
                case "--schema" when value.Length > 0:
                    o.Schema = value;
                    break;
                case "--markers" when Directory.Exists(value):
                    o.Markers = value;
                    break;
                case "--lease-ms" when Int(value, 1, out number):
                    o.LeaseMs = number;
                    break;
                case "--scenario" when value is "interval" or "every-second" or "long-run":
                    o.Scenario = value;
                    break;
                case "--jobs" when Int(value, 1, out number):
                    o.Jobs = number;
                    break;
                case "--at" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var at):
                    o.AtUnixMs = at;
                    break;
                case "--job-ms" when Int(value, 0, out number):
                    o.JobMs = number;
                    break;
                case "--skew-seconds" when int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out number):
                    o.SkewSeconds = number;
                    break;
                case "--run-ms" when Int(value, 0, out number):
                    o.RunMs = number;
                    break;
                default:
                    ok = false;
                    break;
            }

            if (!ok)
            {
                error = $"bad option: {name} {value}";
                return false;
            }
        }

        if (o.JobMs < 0)
        {
            o.JobMs = o.Scenario == "long-run" ? 5000 : 0;
        }

        error = o switch
        {
            { Store: "" } => "--store is required",
            { Markers: "" } => "--markers is required",
            { LeaseMs: < 0 } => "--lease-ms is required",
            { Scenario: "long-run", AtUnixMs: < 0 } => "--scenario long-run needs --at",
            _ => "",
        };
        return error.Length == 0;
    }

    private static bool Int(string value, int min, out int result) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result >= min;
}

/// <summary>
/// The stores, each made in a method of its own that is never inlined, so that a probe on one store does not load the
/// other's assemblies (the SQLite crash test starts hundreds of probes). Retention is off: the tests check that every
/// run that started has its row, so none may be pruned.
/// </summary>
internal static class Stores
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IJobStore Sqlite(ProbeArguments options) =>
        new SqliteJobStore(new SqliteJobStoreOptions { Path = options.Store["sqlite:".Length..], RetentionInterval = Timeout.InfiniteTimeSpan });

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IJobStore PostgreSql(ProbeArguments options) =>
        new PostgreSqlJobStore(new PostgreSqlJobStoreOptions
        {
            ConnectionString = options.Store["postgresql:".Length..],
            Schema = options.Schema,
            RetentionInterval = Timeout.InfiniteTimeSpan,
        });
}

/// <summary>This process's marker file: one line per event of a run, each written with one write(2) at the end of the file.</summary>
internal sealed class MarkerFile(string path, int pid) : IDisposable
{
    private readonly SafeFileHandle _handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite);
    private readonly string _pid = pid.ToString(CultureInfo.InvariantCulture);
    private readonly Lock _gate = new();
    private long _offset;

    /// <summary>The job body of the interval and every-second scenarios: notes that the run started.</summary>
    public ValueTask Start(JobContext context, CancellationToken cancellationToken)
    {
        Write(context, "start");
        return default;
    }

    public void Write(JobContext context, string what)
    {
        var line = Encoding.ASCII.GetBytes($"{context.JobId}\t{context.ScheduledTime.UtcTicks.ToString(CultureInfo.InvariantCulture)}\t{_pid}\t{what}\n");
        lock (_gate)
        {
            // One pwrite(2) of the whole line: the file is this process's alone, so the offset is ours to keep.
            RandomAccess.Write(_handle, line, _offset);
            _offset += line.Length;
        }
    }

    public void Dispose() => _handle.Dispose();
}

/// <summary>
/// Ends the process (exit 4) once its parent, the test, is gone: a test process that was itself killed cannot kill its
/// probes, which would otherwise run on. On Linux the parent's death shows as a new parent id (init or a subreaper).
/// </summary>
internal static class OrphanGuard
{
    public static void Start()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var parent = ParentId();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                await Task.Delay(1000);
                if (ParentId() != parent)
                {
                    Environment.Exit(4);
                }
            }
        });
    }

    /// <summary>The 4th field of /proc/self/stat, "pid (comm) state ppid ...", read after the last ')' (comm may hold spaces).</summary>
    private static int ParentId()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
    }
}

/// <summary>The system clock, off by a fixed amount: a node whose clock is wrong. Timers still count real time.</summary>
internal sealed class SkewedTimeProvider(TimeSpan skew) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + skew;
}

/// <summary>The scheduler's errors and store warnings (a failing write, a fenced or abandoned run) on stderr, for the test to show.</summary>
internal sealed class StderrLoggerFactory : ILoggerFactory, ILogger
{
    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    private static readonly bool s_debug = Environment.GetEnvironmentVariable("CHRONOFLOW_PROBE_LOG") == "debug";
    private static readonly StreamWriter? s_file = Environment.GetEnvironmentVariable("CHRONOFLOW_PROBE_LOG_DIR") is { } dir
        ? new StreamWriter(Path.Combine(dir, $"probe-{Environment.ProcessId}.log")) { AutoFlush = true }
        : null;

    public bool IsEnabled(LogLevel logLevel) => s_debug || logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        // Errors, and the store's warnings (4xx: a fenced or abandoned run); not the skipped runs, which are many.
        if (s_debug || logLevel >= LogLevel.Error || (logLevel >= LogLevel.Warning && eventId.Id is >= 400 and < 500))
        {
            var line = $"{(s_debug ? DateTime.UtcNow.ToString("HH:mm:ss.fff ", CultureInfo.InvariantCulture) : "")}{logLevel}: {eventId.Name}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}";
            if (s_file is { } file)
            {
                lock (file)
                {
                    file.WriteLine(line);
                }
            }
            else
            {
                Console.Error.WriteLine(line);
            }
        }
    }

    public void Dispose()
    {
    }
}
