// Usage: ChronoFlow.CrashProbe <database> <marker-directory> <lease-ms> [<run-ms>]
//
// Opens a SqliteJobStore on <database>, registers ten interval jobs due every 20 to 47 ms on a hard-mode scheduler
// (node "probe-<pid>", lease <lease-ms>) and starts it, then prints "ready". Each run appends one line
// "jobId<TAB>scheduledUtcTicks<TAB>pid\n" to <marker-directory>/markers-<pid>.txt with a single write(2), so that a
// kill -9 leaves whole lines behind it (at worst the last one torn). Without <run-ms> it runs until it is killed; with
// it, it runs that long, stops cleanly (every run ends and is recorded) and exits 0.
using System.Globalization;
using System.Text;
using ChronoFlow;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

if (args.Length is < 3 or > 4
    || !int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out var leaseMs)
    || (args.Length == 4 && !int.TryParse(args[3], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
{
    Console.Error.WriteLine("usage: ChronoFlow.CrashProbe <database> <marker-directory> <lease-ms> [<run-ms>]");
    return 2;
}

var runMs = args.Length == 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : -1;
var pid = Environment.ProcessId;
var markers = new MarkerFile(Path.Combine(args[1], $"markers-{pid.ToString(CultureInfo.InvariantCulture)}.txt"), pid);

// Retention off: the test checks that every run that started has its row, so none may be pruned.
var store = new SqliteJobStore(new SqliteJobStoreOptions { Path = args[0], RetentionInterval = Timeout.InfiniteTimeSpan });
var scheduler = new JobScheduler(new SchedulerOptions
{
    Mode = SchedulerMode.Hard,
    Store = store,
    NodeName = "probe-" + pid.ToString(CultureInfo.InvariantCulture),
    LeaseDuration = TimeSpan.FromMilliseconds(leaseMs),
}, loggerFactory: new StderrLoggerFactory());

// A killed run stays Abandoned: it is not run again, so every marker is one start of one occurrence.
var options = new JobOptions { RecoverAbandoned = false };
for (var i = 0; i < 10; i++)
{
    scheduler.AddOrUpdate("job-" + i.ToString(CultureInfo.InvariantCulture), Schedule.Every(TimeSpan.FromMilliseconds(20 + (3 * i))), markers.Write, options);
}

await scheduler.StartAsync();
Console.WriteLine("ready");
Console.Out.Flush();

if (runMs < 0)
{
    // Until killed.
    await Task.Delay(Timeout.Infinite);
}

await Task.Delay(runMs);
await scheduler.StopAsync();
var status = scheduler.GetStatus();
await scheduler.DisposeAsync();
await store.DisposeAsync();
markers.Dispose();
Console.WriteLine($"stopped: {status.JobCount} jobs");
return 0;

/// <summary>This process's marker file: one line per run started, each written with one write(2) at the end of the file.</summary>
internal sealed class MarkerFile(string path, int pid) : IDisposable
{
    private readonly SafeFileHandle _handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.Write, FileShare.ReadWrite);
    private readonly string _pid = pid.ToString(CultureInfo.InvariantCulture);
    private readonly Lock _gate = new();
    private long _offset;

    public ValueTask Write(JobContext context, CancellationToken cancellationToken)
    {
        var line = Encoding.ASCII.GetBytes($"{context.JobId}\t{context.ScheduledTime.UtcTicks.ToString(CultureInfo.InvariantCulture)}\t{_pid}\n");
        lock (_gate)
        {
            // One pwrite(2) of the whole line: the file is this process's alone, so the offset is ours to keep.
            RandomAccess.Write(_handle, line, _offset);
            _offset += line.Length;
        }

        return default;
    }

    public void Dispose() => _handle.Dispose();
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

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        // Errors, and the store's warnings (4xx: a fenced or abandoned run); not the skipped runs, which are many.
        if (logLevel >= LogLevel.Error || (logLevel >= LogLevel.Warning && eventId.Id is >= 400 and < 500))
        {
            Console.Error.WriteLine($"{logLevel}: {eventId.Name}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
        }
    }

    public void Dispose()
    {
    }
}
