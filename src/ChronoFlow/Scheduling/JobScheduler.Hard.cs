using System.Diagnostics;

namespace ChronoFlow;

public sealed partial class JobScheduler
{
    /// <summary>
    /// The longest the hard-mode timer sleeps. Timers count elapsed time, not the wall clock, so a bounded sleep notices
    /// a wall-clock leap within this long; it is not polling, since an idle scheduler wakes once per period.
    /// </summary>
    internal static readonly TimeSpan MaxTimerSleep = TimeSpan.FromMinutes(1);

    /// <summary>
    /// On the system clock, how much earlier than the due time the timer is set. Timers fire on a millisecond tick and
    /// often a little late; waking early and spinning the last stretch starts runs within a fraction of a millisecond.
    /// </summary>
    internal static readonly TimeSpan SystemClockLead = TimeSpan.FromMilliseconds(2);

    /// <summary>The longest the timer callback spins for the due time before it sleeps again instead.</summary>
    private static readonly TimeSpan s_maxSpin = TimeSpan.FromMilliseconds(10);

    private ITimer? _timer;
    private ITimer? _fallbackTimer;
    private long _leadTicks;
    private long _armedTicks = long.MaxValue;
    private bool _wakePending;

    /// <summary>
    /// Starts dispatching. In hard mode this starts the scheduler's timer, which sleeps until the next run is due; in
    /// soft mode it marks the scheduler as running, since the host calls <see cref="Pump"/>, and starts the fallback
    /// timer if <see cref="SchedulerOptions.SoftModeFallbackInterval"/> is set.
    /// </summary>
    /// <param name="cancellationToken">Cancels the opening of the store; without a store, starting does not wait.</param>
    /// <returns>A task that completes when the scheduler has started: at once without a store.</returns>
    /// <exception cref="ObjectDisposedException">The scheduler has stopped; a stopped scheduler does not restart.</exception>
    /// <exception cref="JobStoreException">The <see cref="SchedulerOptions.Store"/> cannot be opened; the message names it and says why.</exception>
    /// <remarks>
    /// With a <see cref="SchedulerOptions.Store"/> this opens it first, in either mode, and restores every registered
    /// job's state; until then <see cref="Pump"/> starts nothing.
    /// </remarks>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        bool open;
        lock (_gate)
        {
            ThrowIfStopped();
            open = !_storeReady;
        }

        return open ? StartWithStoreAsync(cancellationToken) : StartCore();
    }

    private async Task StartWithStoreAsync(CancellationToken cancellationToken)
    {
        await OpenStoreAsync(_store!, cancellationToken).ConfigureAwait(false);
        await StartCore().ConfigureAwait(false);
    }

    private Task StartCore()
    {
        int jobs;
        lock (_gate)
        {
            ThrowIfStopped();
            if (_state == StateStarted)
            {
                return Task.CompletedTask;
            }

            _state = StateStarted;
            jobs = _jobs.Count;
            if (_options.Mode == SchedulerMode.Hard)
            {
                // Only a real clock moves while we spin; a test clock is exact and only moves when told to.
                _leadTicks = ReferenceEquals(_time, TimeProvider.System) ? SystemClockLead.Ticks : 0;
                _timer = _time.CreateTimer(static s => ((JobScheduler)s!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _armedTicks = long.MaxValue;
                ArmTimerLocked(_time.GetUtcNow().UtcTicks);
            }
            else if (_options.SoftModeFallbackInterval is { } fallback)
            {
                // Soft mode with a safety net: pump on a fixed period, whether or not the host pumps too.
                _fallbackTimer = _time.CreateTimer(static s => ((JobScheduler)s!).Pump(), this, fallback, fallback);
            }
        }

        SchedulerLog.SchedulerStarted(_logger, _options.Mode, jobs);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops dispatching, drops queued runs (counted as skipped), waits up to <see cref="SchedulerOptions.ShutdownTimeout"/>
    /// for running jobs, then cancels their tokens (they are recorded as cancelled) and waits for them to return.
    /// </summary>
    /// <param name="cancellationToken">Ends the waiting early; jobs still running are then left to finish on their own.</param>
    /// <returns>A task that completes when the scheduler has stopped.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_state >= StateStopping)
            {
                return;
            }

            _state = StateStopping;
            _timer?.Dispose();
            _timer = null;
            _fallbackTimer?.Dispose();
            _fallbackTimer = null;
            Volatile.Write(ref _nextDueTicks, long.MaxValue);
        }

        if (_store is not null)
        {
            // A run whose claim is pending counts as in flight: wake a writer that is backing off from a failing store
            // (on the scheduler's clock, which may not move), so that it releases those runs now instead of the wait
            // for idle below waiting on it for ever.
            await _storeBackoff.CancelAsync().ConfigureAwait(false);
            SignalLanes();
        }

        DropQueued();
        var running = Volatile.Read(ref _running);

        try
        {
            var idle = WaitForIdleAsync(CancellationToken.None);
            if (!idle.IsCompleted)
            {
                var cancel = true;
                if (_shutdownTimeout == TimeSpan.Zero)
                {
                    // Asked not to wait: cancelling at once is the configured stop, not a timeout.
                    SchedulerLog.SchedulerStoppingNow(_logger, running);
                }
                else
                {
                    SchedulerLog.SchedulerStopping(_logger, _shutdownTimeout, running);
                    using var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    var delay = Task.Delay(_shutdownTimeout, _time, delayCancel.Token);
                    await Task.WhenAny(idle, delay).ConfigureAwait(false);
                    delayCancel.Cancel();
                    cancel = !idle.IsCompleted && !cancellationToken.IsCancellationRequested;
                    if (cancel)
                    {
                        SchedulerLog.SchedulerStopCancelling(_logger, Volatile.Read(ref _running));
                    }
                }

                if (cancel)
                {
                    await _stopping.CancelAsync().ConfigureAwait(false);
                    await idle.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The caller stopped waiting; cancel what still runs so that it ends as soon as it can.
            await _stopping.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            // Every run has ended or been dropped: write their outcomes and the jobs' states before saying stopped.
            await StopStoreAsync().ConfigureAwait(false);
            lock (_gate)
            {
                _state = StateStopped;
            }

            SchedulerLog.SchedulerStopped(_logger);
        }
    }

    /// <summary>Points the hard-mode timer at the next due time, or queues a pump when something is already due.</summary>
    private void ArmTimerLocked(long now)
    {
        if (_timer is null || _state != StateStarted)
        {
            return;
        }

        var due = _nextDueTicks;
        if (due <= now)
        {
            if (!_wakePending)
            {
                // Counted in flight so that WaitForIdleAsync also waits for the pump it is about to do.
                _wakePending = true;
                Interlocked.Increment(ref _inFlight);
                ThreadPool.UnsafeQueueUserWorkItem(static s => s.OnWake(), this, preferLocal: false);
            }

            return;
        }

        if (due == _armedTicks)
        {
            return;
        }

        _armedTicks = due;
        var delay = TimeSpan.FromTicks(Math.Clamp(due - now - _leadTicks, 0, MaxTimerSleep.Ticks));
        _timer.Change(delay, Timeout.InfiniteTimeSpan);
    }

    private void OnWake()
    {
        lock (_gate)
        {
            _wakePending = false;
        }

        try
        {
            Pump();
        }
        finally
        {
            lock (_gate)
            {
                ExitFlightLocked();
            }
        }
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            // The timer fired: whatever it was armed for, it is no longer armed.
            _armedTicks = long.MaxValue;
        }

        var now = _time.GetUtcNow().UtcTicks;
        var due = Volatile.Read(ref _nextDueTicks);
        if (now < due && _leadTicks > 0 && due - now <= 2 * _leadTicks)
        {
            // Woken just ahead of time on purpose: spin the last stretch rather than trust a millisecond timer.
            var spinStart = Stopwatch.GetTimestamp();
            var spinner = default(SpinWait);
            while ((now = _time.GetUtcNow().UtcTicks) < due && Stopwatch.GetElapsedTime(spinStart) < s_maxSpin)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
        }

        if (now < Volatile.Read(ref _nextDueTicks))
        {
            // Early (clock moved backwards, or the sleep was capped): sleep again.
            lock (_gate)
            {
                ArmTimerLocked(now);
            }

            return;
        }

        PumpDue(now);
    }
}
