using BenchmarkDotNet.Attributes;

namespace ChronoFlow.Benchmarks.Scheduling;

/// <summary>
/// <see cref="JobScheduler.Pump"/> when nothing is due, on the system clock, with a thousand cron jobs registered:
/// the cost a web app pays on every request. Budget: 0 bytes, under 50 ns.
/// </summary>
[MemoryDiagnoser]
public class PumpBenchmarks
{
    private JobScheduler _scheduler = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft });
        var schedule = Schedule.Cron("0 0 1 1 *");
        for (var i = 0; i < 1000; i++)
        {
            _scheduler.AddOrUpdate("job-" + i, schedule, static (_, _) => default);
        }

        if (_scheduler.Pump() != 0)
        {
            throw new InvalidOperationException("Something was due; the benchmark would not measure the idle path.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _scheduler.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark(Description = "Pump(), nothing due")]
    public int PumpNothingDue() => _scheduler.Pump();
}
