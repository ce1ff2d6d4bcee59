using BenchmarkDotNet.Attributes;
using Quartz;

namespace ChronoFlow.Benchmarks.Scheduling;

/// <summary>
/// Dispatch of no-op jobs: 1,000 jobs come due together and the scheduler runs them all. Reported per firing
/// (OperationsPerInvoke), so the Mean is the time per firing and Allocated the bytes per firing. Quartz.NET 4 with its
/// in-memory store (RAMJobStore) is the baseline: 1,000 durable jobs fired with TriggerJob. Both run jobs on a pool
/// of the same size. Budget: 5x Quartz's firings per second at a tenth of its bytes per firing.
/// </summary>
[MemoryDiagnoser]
public class DispatchBenchmarks
{
    private const int Jobs = 1000;
    private static readonly int s_threads = Math.Max(2, Environment.ProcessorCount);

    private ManualClock _clock = null!;
    private JobScheduler _chronoFlow = null!;
    private IScheduler _quartz = null!;
    private JobKey[] _quartzKeys = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        _clock = new ManualClock(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        _chronoFlow = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft, MaxConcurrentRuns = s_threads }, _clock);
        var every = Schedule.Every(TimeSpan.FromMinutes(1));
        for (var i = 0; i < Jobs; i++)
        {
            _chronoFlow.AddOrUpdate("job-" + i, every, static (_, _) => default);
        }

        // Quartz.NET 4's in-memory store (RAMJobStore) with a pool of the same size as ChronoFlow's slots.
        _quartz = await QuartzSchedulerBuilder.Create(q =>
        {
            q.UseInMemoryStore();
            q.UseDefaultThreadPool(s_threads);
        }).BuildScheduler();
        _quartzKeys = new JobKey[Jobs];
        for (var i = 0; i < Jobs; i++)
        {
            _quartzKeys[i] = new JobKey("job-" + i);
            await _quartz.AddJob(JobBuilder.Create<NoOpQuartzJob>().WithIdentity(_quartzKeys[i]).StoreDurably().Build(), AddJobOptions.Replacing);
        }

        await _quartz.Start();

        // Both must really run every job once per invocation.
        if (await ChronoFlowFireAll() != Jobs || await QuartzFireAll() != Jobs)
        {
            throw new InvalidOperationException("A scheduler did not run every job.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _chronoFlow.DisposeAsync();
        await _quartz.Shutdown(waitForJobsToComplete: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Jobs, Description = "Quartz.NET 4 RAMJobStore: fire 1,000 due no-op jobs")]
    public Task<int> QuartzFireAll() => QuartzFireAllCore();

    [Benchmark(OperationsPerInvoke = Jobs, Description = "ChronoFlow Pump(): fire 1,000 due no-op jobs")]
    public Task<int> ChronoFlowFireAll() => ChronoFlowFireAllCore();

    private async Task<int> ChronoFlowFireAllCore()
    {
        _clock.Advance(TimeSpan.FromMinutes(1));
        var started = _chronoFlow.Pump();
        await _chronoFlow.WaitForIdleAsync();
        return started;
    }

    private async Task<int> QuartzFireAllCore()
    {
        var done = NoOpQuartzJob.Expect(Jobs);
        foreach (var key in _quartzKeys)
        {
            await _quartz.TriggerJob(key);
        }

        await done;
        return Jobs;
    }

    private sealed class NoOpQuartzJob : Quartz.IJob
    {
        private static int s_remaining;
        private static TaskCompletionSource s_done = new();

        public static Task Expect(int count)
        {
            s_done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref s_remaining, count);
            return s_done.Task;
        }

        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            if (Interlocked.Decrement(ref s_remaining) == 0)
            {
                s_done.TrySetResult();
            }

            return default;
        }
    }
}
