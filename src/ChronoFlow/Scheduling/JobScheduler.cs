using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ChronoFlow;

/// <summary>
/// Runs jobs on their schedules: cron, interval, one-time and startup jobs, inside this process.
/// </summary>
/// <remarks>
/// <para>
/// One core serves both modes. Jobs sit on a timeline ordered by their next due time, so telling whether anything is
/// due is one clock read and one compare. In <see cref="SchedulerMode.Soft"/> mode the host calls <see cref="Pump"/>;
/// in <see cref="SchedulerMode.Hard"/> mode a timer of the scheduler's own, on the <see cref="TimeProvider"/>, sleeps
/// until the next due time and pumps, and wakes early when <see cref="AddOrUpdate(string, Schedule, Func{JobContext, CancellationToken, ValueTask}, JobOptions?)"/>
/// or <see cref="Resume(string)"/> makes something due sooner.
/// </para>
/// <para>
/// A due run passes the misfire policy (<see cref="JobOptions.Misfire"/>) and the overlap limit
/// (<see cref="JobOptions.MaxConcurrency"/>), waits in the <see cref="IJobQueue"/> for one of
/// <see cref="SchedulerOptions.MaxConcurrentRuns"/> slots, takes its lock (<see cref="JobOptions.LockKey"/>), and runs
/// on the thread pool with its timeout and retries. Every run that did not happen (skipped, misfired, rejected) and
/// every run that ended (succeeded, failed, timed out, cancelled) is counted in the job's state
/// (<see cref="GetJob(string)"/>), logged, reported to the <see cref="IJobEventListener"/>s and measured on the
/// <c>ChronoFlow</c> meter. A job that throws never harms the scheduler or other jobs.
/// </para>
/// <para>
/// Occurrences are never re-run: after the clock moves backwards the next occurrence stays where it was and runs when the
/// clock reaches it; after it leaps forwards the occurrences in between are misfires, handled by the policy.
/// </para>
/// </remarks>
/// <threadsafety>All members are safe to call from any thread, concurrently.</threadsafety>
public sealed partial class JobScheduler : IAsyncDisposable
{
    private const int StateCreated = 0;
    private const int StateStarted = 1;
    private const int StateStopping = 2;
    private const int StateStopped = 3;

    /// <summary>Guards every field below except the ones read by <see cref="Pump"/>'s fast path.</summary>
    private readonly object _gate = new();
    private readonly Dictionary<string, JobEntry> _jobs = new(StringComparer.Ordinal);
    private readonly SchedulerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IJobQueue _queue;
    private readonly RunReporter _reporter;
    private readonly JobRunner _runner;
    private readonly int _maxConcurrentRuns;
    private readonly TimeSpan _shutdownTimeout;
    private readonly CancellationTokenSource _stopping = new();

    private int _state;

    /// <summary>Runs holding a slot under <see cref="SchedulerOptions.MaxConcurrentRuns"/>; changed with interlocked operations only.</summary>
    private int _running;

    /// <summary>Runs queued or running, plus pending wake-ups: what <see cref="WaitForIdleAsync"/> waits for.</summary>
    private int _inFlight;
    private TaskCompletionSource? _idle;

    /// <summary>Creates a scheduler.</summary>
    /// <param name="options">The options; <see langword="null"/> means the defaults (hard mode).</param>
    /// <param name="timeProvider">The clock and timers; <see langword="null"/> means <see cref="TimeProvider.System"/>.</param>
    /// <param name="loggerFactory">Where logs go; <see langword="null"/> means nowhere.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public JobScheduler(SchedulerOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new SchedulerOptions();
        _options.ThrowIfInvalid();
        _time = timeProvider ?? TimeProvider.System;
        if (_options.Store is not null)
        {
            // With a store, the scheduler runs on the store's clock when it has one (see JobScheduler.Cluster.cs).
            _storeClock = new StoreClock(_time);
            _time = _storeClock;
        }

        _logger = loggerFactory?.CreateLogger<JobScheduler>() ?? (ILogger)NullLogger.Instance;
        _queue = _options.JobQueue ?? new InMemoryJobQueue(_options.QueueCapacity);
        _reporter = new RunReporter(_logger, [.. _options.EventListeners], _time);
        _runner = new JobRunner(_time, _options.LockProvider ?? new InMemoryJobLockProvider(), _reporter, _stopping.Token);
        _maxConcurrentRuns = _options.MaxConcurrentRuns;
        _store = _options.Store;
        _lanes = CreateLanes(_store);
        _peerClaimDelayTicks = _store is null ? 0 : _options.PeerClaimDelay.Ticks;
        _storeReady = _store is null;
        _node = _options.NodeName ?? $"{Environment.MachineName}:{Environment.ProcessId}";
        _shutdownTimeout = _options.ShutdownTimeout;
    }

    /// <summary>Gets the mode the scheduler was created with.</summary>
    public SchedulerMode Mode => _options.Mode;

    /// <summary>Gets the clock the scheduler runs on.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>
    /// Returns a task that completes when no run is queued or running (runs waiting for a retry count as running).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The task; already complete when the scheduler is idle.</returns>
    /// <remarks>
    /// With <see cref="Pump"/> this makes a one-shot caller deterministic: pump, wait for idle, exit. Runs that a run's
    /// completion lets start (a waiting run of the same job, a queued run taking the freed slot) are waited for too.
    /// </remarks>
    public Task WaitForIdleAsync(CancellationToken cancellationToken = default)
    {
        Task task;
        lock (_gate)
        {
            if (Volatile.Read(ref _inFlight) == 0)
            {
                return Task.CompletedTask;
            }

            _idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            task = _idle.Task;
        }

        return cancellationToken.CanBeCanceled ? task.WaitAsync(cancellationToken) : task;
    }

    /// <summary>Stops the scheduler as <see cref="StopAsync(CancellationToken)"/> does and releases its timer.</summary>
    /// <returns>A task that completes when the scheduler has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        // The stop token source is not disposed: a job that outlived a cancelled stop may still read its token.
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Ends one unit of in-flight work under the lock, completing the idle waiters when it was the last.</summary>
    private void ExitFlightLocked()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            SignalIdleLocked();
        }
    }

    /// <summary>
    /// Ends one unit of in-flight work without holding the lock, taking it only when that was the last. In-flight counts
    /// are changed with interlocked operations so that a run's end costs one lock acquisition, not two.
    /// </summary>
    private void ExitFlight()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            lock (_gate)
            {
                SignalIdleLocked();
            }
        }
    }

    private void SignalIdleLocked()
    {
        // Re-read under the lock: new work may have started since the count reached zero.
        if (Volatile.Read(ref _inFlight) == 0 && _idle is { } idle)
        {
            _idle = null;
            idle.TrySetResult();
        }
    }
}
