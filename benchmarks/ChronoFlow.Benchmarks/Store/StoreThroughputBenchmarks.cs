using BenchmarkDotNet.Attributes;
using ChronoFlow.Benchmarks.Scheduling;

namespace ChronoFlow.Benchmarks.Store;

/// <summary>Which <see cref="SchedulerOptions.Store"/> a benchmark runs on.</summary>
public enum StoreKind
{
    /// <summary>No store: everything in memory, nothing claimed or recorded.</summary>
    None,

    /// <summary><see cref="InMemoryJobStore"/>: claims and history in this process's memory.</summary>
    InMemory,

    /// <summary><see cref="SqliteJobStore"/> on a temporary file (WAL, synchronous=NORMAL).</summary>
    Sqlite,
}

/// <summary>
/// Runs claimed and recorded through a real <see cref="JobScheduler"/>: 1,000 no-op jobs come due together on a manual
/// clock, the benchmark pumps, waits for idle and then for the store's writer to have written everything (the claim of
/// each run before it starts, its outcome and its job's state, in group-committed batches). Reported per run
/// (OperationsPerInvoke), so runs per second = 1e9 / Mean (ns) and Allocated is the bytes per run. Automatic
/// retention is off: it runs every five minutes of real time, and the manual clock would have it run every few
/// invocations. Budget for SQLite: at least 10,000 runs a second on a 2-core machine, history included.
/// </summary>
[MemoryDiagnoser]
public class StoreThroughputBenchmarks
{
    private const int Jobs = 1000;

    private ManualClock _clock = null!;
    private JobScheduler _scheduler = null!;
    private IJobStore? _store;
    private string? _directory;

    [Params(StoreKind.None, StoreKind.InMemory, StoreKind.Sqlite)]
    public StoreKind Store { get; set; }

    [GlobalSetup]
    public async Task Setup()
    {
        _clock = new ManualClock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        (_store, _directory) = StoreFactory.Create(Store);
        _scheduler = new JobScheduler(
            new SchedulerOptions { Mode = SchedulerMode.Soft, MaxConcurrentRuns = Math.Max(2, Environment.ProcessorCount), Store = _store, NodeName = "bench" },
            _clock);
        var every = Schedule.Every(TimeSpan.FromMinutes(1));
        for (var i = 0; i < Jobs; i++)
        {
            _scheduler.AddOrUpdate("job-" + i, every, static (_, _) => default);
        }

        await _scheduler.StartAsync();

        // Every invocation must really run every job once, and with a store record each run as succeeded.
        if (await RunAllDue() != Jobs)
        {
            throw new InvalidOperationException("The scheduler did not run every job.");
        }

        if (_store is not null)
        {
            var runs = await _scheduler.GetRunsAsync("job-" + (Jobs - 1));
            if (runs is not [{ Outcome: JobOutcome.Succeeded }, ..])
            {
                throw new InvalidOperationException($"The {Store} store did not record the run as succeeded.");
            }
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _scheduler.DisposeAsync();
        await StoreFactory.DisposeAsync(_store, _directory);
    }

    [Benchmark(OperationsPerInvoke = Jobs, Description = "Pump(): 1,000 due no-op jobs, claimed and recorded (per run)")]
    public async Task<int> RunAllDue()
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        var started = _scheduler.Pump();
        await _scheduler.WaitForIdleAsync();
        await _scheduler.FlushStoreAsync();
        return started;
    }
}

/// <summary>
/// <see cref="JobScheduler.Pump"/> when nothing is due, on the system clock, with a thousand cron jobs registered and
/// the SQLite store attached and open: the store adds no work to the idle path. Budget: 0 bytes, under 50 ns, no I/O.
/// </summary>
[MemoryDiagnoser]
public class StorePumpBenchmarks
{
    private JobScheduler _scheduler = null!;
    private IJobStore? _store;
    private string? _directory;

    [GlobalSetup]
    public async Task Setup()
    {
        (_store, _directory) = StoreFactory.Create(StoreKind.Sqlite);
        _scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft, Store = _store, NodeName = "bench" });
        var schedule = Schedule.Cron("0 0 1 1 *");
        for (var i = 0; i < 1000; i++)
        {
            _scheduler.AddOrUpdate("job-" + i, schedule, static (_, _) => default);
        }

        await _scheduler.StartAsync();
        await _scheduler.FlushStoreAsync();
        if (_scheduler.Pump() != 0)
        {
            throw new InvalidOperationException("Something was due; the benchmark would not measure the idle path.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _scheduler.DisposeAsync();
        await StoreFactory.DisposeAsync(_store, _directory);
    }

    [Benchmark(Description = "Pump(), nothing due, SQLite store attached")]
    public int PumpNothingDueWithSqliteStore() => _scheduler.Pump();
}

/// <summary>Makes the store of a benchmark, the SQLite one in a temporary directory of its own.</summary>
internal static class StoreFactory
{
    public static (IJobStore? Store, string? Directory) Create(StoreKind kind)
    {
        switch (kind)
        {
            case StoreKind.InMemory:
                return (new InMemoryJobStore(), null);
            case StoreKind.Sqlite:
                var directory = System.IO.Directory.CreateTempSubdirectory("chronoflow-bench-").FullName;
                var options = new SqliteJobStoreOptions { Path = Path.Combine(directory, "store.db"), RetentionInterval = Timeout.InfiniteTimeSpan };
                return (new SqliteJobStore(options), directory);
            default:
                return (null, null);
        }
    }

    public static async Task DisposeAsync(IJobStore? store, string? directory)
    {
        if (store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        if (directory is not null)
        {
            System.IO.Directory.Delete(directory, recursive: true);
        }
    }
}
