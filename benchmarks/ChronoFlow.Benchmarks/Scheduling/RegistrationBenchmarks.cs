using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;

namespace ChronoFlow.Benchmarks.Scheduling;

/// <summary>
/// Registering 1,000,000 cron jobs in a new scheduler, reported per job (OperationsPerInvoke): time and bytes per
/// registered job, the scheduler's own structures included, the job id strings (made in setup) excluded.
/// Budget: under 300 bytes per job, under 2 s in all (2 µs per job).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class RegistrationBenchmarks
{
    private const int Jobs = 1_000_000;
    private string[] _ids = null!;
    private Schedule _schedule = null!;
    private JobScheduler? _last;

    [GlobalSetup]
    public void Setup()
    {
        _ids = new string[Jobs];
        for (var i = 0; i < Jobs; i++)
        {
            _ids[i] = "job-" + i;
        }

        _schedule = Schedule.Cron("0 */2 * * *");
    }

    [IterationCleanup]
    public void IterationCleanup()
    {
        _last?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _last = null;
    }

    [Benchmark(OperationsPerInvoke = Jobs, Description = "AddOrUpdate 1,000,000 cron jobs (per job)")]
    public int RegisterMillionCronJobs()
    {
        var scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft });
        Func<JobContext, CancellationToken, ValueTask> action = static (_, _) => default;
        foreach (var id in _ids)
        {
            scheduler.AddOrUpdate(id, _schedule, action);
        }

        _last = scheduler;
        return scheduler.GetStatus().JobCount;
    }
}
