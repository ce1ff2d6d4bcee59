using System.Collections.Concurrent;

using Xunit;

namespace ChronoFlow.Testing;

/// <summary>Collects every event a scheduler reports and lets a test wait for one.</summary>
public sealed class EventRecorder : IJobEventListener
{
    private readonly object _gate = new();
    private readonly List<JobEvent> _events = [];
    private readonly List<(Func<JobEvent, bool> Match, TaskCompletionSource<JobEvent> Tcs)> _waiters = [];

    public IReadOnlyList<JobEvent> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public void OnEvent(in JobEvent jobEvent)
    {
        var e = jobEvent;
        lock (_gate)
        {
            _events.Add(e);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(e))
                {
                    _waiters[i].Tcs.TrySetResult(e);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>Waits for the next matching event (or an already recorded one when <paramref name="includePast"/>).</summary>
    public Task<JobEvent> WaitAsync(Func<JobEvent, bool> match, bool includePast = true)
    {
        lock (_gate)
        {
            if (includePast)
            {
                foreach (var e in _events)
                {
                    if (match(e))
                    {
                        return Task.FromResult(e);
                    }
                }
            }

            var tcs = new TaskCompletionSource<JobEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, tcs));
            return tcs.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public int Count(JobEventKind kind) => Events.Count(e => e.Kind == kind);
}

/// <summary>Collects the contexts of the runs a test's jobs were given.</summary>
public sealed class RunRecorder
{
    private readonly ConcurrentQueue<JobContext> _runs = new();

    public IReadOnlyList<JobContext> Runs => [.. _runs];

    public Func<JobContext, CancellationToken, ValueTask> Action => (context, _) =>
    {
        _runs.Enqueue(context);
        return default;
    };

    public IEnumerable<DateTimeOffset> ScheduledTimes(string jobId) => Runs.Where(r => r.JobId == jobId).Select(r => r.ScheduledTime);
}

/// <summary>A job action that blocks until released, so a test controls when a run ends.</summary>
public sealed class Gate
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _entered = new(0);
    private int _entries;

    public int Entries => Volatile.Read(ref _entries);

    public Func<JobContext, CancellationToken, ValueTask> Action => async (_, ct) =>
    {
        Interlocked.Increment(ref _entries);
        _entered.Release();
        await _release.Task.WaitAsync(ct);
    };

    public void Release() => _release.TrySetResult();

    public async Task WaitEnteredAsync(int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            Assert.True(await _entered.WaitAsync(TimeSpan.FromSeconds(30)), "the job did not start");
        }
    }
}

public static class SchedulerTestExtensions
{
    /// <summary>Waits for idle with a real-time guard so that a bug fails the test instead of hanging it.</summary>
    public static Task IdleAsync(this JobScheduler scheduler) => scheduler.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>Waits until everything pending for the store when called is written (the scheduler's internal flush), failing after 30 s.</summary>
    public static Task FlushAsync(this JobScheduler scheduler) => scheduler.FlushStoreAsync().WaitAsync(TimeSpan.FromSeconds(30));

    public static async Task<int> PumpAndWaitAsync(this JobScheduler scheduler)
    {
        var started = scheduler.Pump();
        await scheduler.IdleAsync();
        return started;
    }

    public static JobScheduler CreateSoft(TestClock clock, EventRecorder? events = null, Action<SchedulerOptions>? configure = null)
    {
        // No shutdown grace: a test that fails with a job still blocked must not hang in DisposeAsync on a fake clock.
        var options = new SchedulerOptions { Mode = SchedulerMode.Soft, ShutdownTimeout = TimeSpan.Zero };
        if (events is not null)
        {
            options.EventListeners.Add(events);
        }

        configure?.Invoke(options);
        return new JobScheduler(options, clock);
    }
}
