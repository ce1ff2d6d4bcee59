namespace ChronoFlow;

public sealed partial class JobScheduler
{
    /// <summary>Counts a run in flight, under the lock; the caller hands it to <see cref="Admit"/> once the lock is released.</summary>
    private ScheduledRun AdmitLocked(JobEntry job, long scheduledTicks, bool manual, bool recovery = false, bool late = false)
    {
        job.InFlight++;
        Interlocked.Increment(ref _inFlight);
        var run = new ScheduledRun(this, job, scheduledTicks, manual) { Recovery = recovery, Late = late };
        if (_store is not null)
        {
            // With a store a run starts only once its claim is won: the writer admits it again then.
            AddClaimLocked(run);
        }

        return run;
    }

    /// <summary>
    /// Starts admitted runs, outside the lock: straight onto the thread pool when nobody waits and a slot is free,
    /// otherwise through the queue. A run the queue refuses is counted and reported as rejected. Returns how many runs
    /// started or were queued.
    /// </summary>
    /// <remarks>
    /// With a store, a run is admitted twice: once by whoever found it due (<paramref name="claimed"/> false), which
    /// only counts it, since its claim is pending; then by the store writer once the claim is won. The first caller
    /// must never start it: the writer may already have.
    /// </remarks>
    private int Admit(in InlineList<ScheduledRun> admitted, long now, bool claimed = false)
    {
        if (admitted.IsEmpty)
        {
            return 0;
        }

        if (_store is not null && !claimed)
        {
            return admitted.Count;
        }

        var accepted = 0;
        var count = admitted.Count;
        var next = 0;

        // Nobody waits: the queue would hand these runs straight back.
        for (; next < count && _queue.Count == 0 && Volatile.Read(ref _state) < StateStopping && TryTakeSlot(); next++)
        {
            accepted++;
            ThreadPool.UnsafeQueueUserWorkItem(admitted[next], preferLocal: false);
        }

        if (next < count && _queue is InMemoryJobQueue memory)
        {
            // The built-in queue takes the rest in order under one acquisition of its lock, not one per run: a pump that
            // finds many jobs due paid for the lock a thousand times. What it refuses (it is full) is rejected below;
            // never a run whose claim the store's writer won: that run is paid for (its claim is written, and rejecting
            // it would cost a write more), and there are at most as many as the jobs' MaxConcurrency allows, since a
            // pending claim keeps its job busy. It waits beyond the capacity.
            var queued = memory.TryEnqueueRange(in admitted, next, beyondCapacity: claimed);
            if (queued > 0)
            {
                accepted += queued;
                next += queued;
                ChronoFlowTelemetry.QueueLength.Add(queued);
                Drain();
            }
        }

        for (; next < count; next++)
        {
            // A queue of the user's is asked run by run; the built-in one has already said no to these.
            var run = admitted[next];
            if (_queue is not InMemoryJobQueue && _queue.TryEnqueue(new QueuedRun(run)))
            {
                accepted++;
                ChronoFlowTelemetry.QueueLength.Add(1);
                Drain();
                continue;
            }

            Refuse(run, now);
        }

        if (Volatile.Read(ref _state) >= StateStopping)
        {
            // StopAsync may have emptied the queue before these runs reached it: drop them the same way.
            DropQueued();
        }

        return accepted;
    }

    /// <summary>Counts and reports a run the queue refused (it is full) as rejected.</summary>
    private void Refuse(ScheduledRun run, long now)
    {
        var notices = default(InlineList<RunNotice>);
        lock (_gate)
        {
            run.Job.InFlight--;
            RecordSkippedLocked(run.Job, run.ScheduledTicks, SkipReason.QueueFull, 1, now, ref notices, run.ClaimId);
            ExitFlightLocked();
        }

        _reporter.Report(in notices);
    }

    /// <summary>Takes a slot under <see cref="SchedulerOptions.MaxConcurrentRuns"/>, without a lock; false when none is free.</summary>
    private bool TryTakeSlot()
    {
        while (true)
        {
            var running = Volatile.Read(ref _running);
            if (running >= _maxConcurrentRuns)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _running, running + 1, running) == running)
            {
                return true;
            }
        }
    }

    /// <summary>
    /// Hands queued runs to the thread pool while slots are free. Whoever enqueues drains after, and a run that ends
    /// drains with its slot, so a queued run is never stranded; an empty queue costs one read.
    /// </summary>
    /// <param name="holdingSlot">
    /// The caller holds a slot it no longer needs (its run ended): the next queued run takes it over, without giving it
    /// back and taking it again, and it is freed when no run is waiting.
    /// </param>
    private void Drain(bool holdingSlot = false)
    {
        while (true)
        {
            if (holdingSlot)
            {
                holdingSlot = false;
                if (_queue.Count == 0 || Volatile.Read(ref _state) >= StateStopping)
                {
                    Interlocked.Decrement(ref _running);

                    // A run enqueued before the slot was freed may have found none: look again, as any drain does.
                    continue;
                }
            }
            else if (_queue.Count == 0 || Volatile.Read(ref _state) >= StateStopping || !TryTakeSlot())
            {
                return;
            }

            if (!_queue.TryDequeue(out var queued))
            {
                Interlocked.Decrement(ref _running);

                // A run enqueued between the failed take and the release of the slot would wait for the next drain:
                // look again.
                if (_queue.Count == 0)
                {
                    return;
                }

                continue;
            }

            ChronoFlowTelemetry.QueueLength.Add(-1);
            if (queued.Run is not ScheduledRun run || !ReferenceEquals(run.Scheduler, this))
            {
                Interlocked.Decrement(ref _running);
                SchedulerLog.ForeignQueuedRun(_logger, queued.JobId, queued.ScheduledTime);
                continue;
            }

            if (DuePolicy.MayMisfireInQueue(run.Job.Schedule, run.Options, run.Manual))
            {
                var now = _time.GetUtcNow().UtcTicks;
                if (DuePolicy.IsPastGrace(run.Options, run.ScheduledTicks, now))
                {
                    // It waited in the queue past its grace period: a misfire like any other.
                    Interlocked.Decrement(ref _running);
                    var notices = default(InlineList<RunNotice>);
                    lock (_gate)
                    {
                        run.Job.InFlight--;
                        RecordMissedLocked(run.Job, run.ScheduledTicks, 1, now, ref notices, run.ClaimId);
                        ExitFlightLocked();
                    }

                    _reporter.Report(in notices);
                    continue;
                }
            }

            ThreadPool.UnsafeQueueUserWorkItem(run, preferLocal: false);
        }
    }

    /// <summary>Empties the queue after a stop: each run is counted and reported as skipped for the shutdown.</summary>
    private void DropQueued()
    {
        var notices = default(InlineList<RunNotice>);
        lock (_gate)
        {
            var now = _time.GetUtcNow().UtcTicks;
            while (_queue.TryDequeue(out var queued))
            {
                ChronoFlowTelemetry.QueueLength.Add(-1);
                if (queued.Run is ScheduledRun run && ReferenceEquals(run.Scheduler, this))
                {
                    run.Job.InFlight--;
                    RecordSkippedLocked(run.Job, run.ScheduledTicks, SkipReason.Shutdown, 1, now, ref notices, run.ClaimId);
                    ExitFlightLocked();
                }
            }
        }

        _reporter.Report(in notices);
    }

    /// <summary>Runs one admitted run and records its end. Never throws.</summary>
    /// <remarks>
    /// A run that completes at once (the common no-wait job) ends here without a state machine of its own: its result
    /// is read in place, not copied through another awaiter. Whatever <see cref="OnRunEnded"/> throws ends up in the
    /// returned task either way.
    /// </remarks>
    internal Task RunAsync(ScheduledRun run)
    {
        var pending = _runner.RunAsync(run);
        if (!pending.IsCompletedSuccessfully)
        {
            return EndWhenDoneAsync(run, pending);
        }

        try
        {
            OnRunEnded(run, pending.Result);
            return Task.CompletedTask;
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    private async Task EndWhenDoneAsync(ScheduledRun run, ValueTask<RunResult> pending)
    {
        var result = await pending.ConfigureAwait(false);
        OnRunEnded(run, in result);
    }

    /// <summary>Records the end of a run, frees its slots, starts what was waiting for them, then reports the run.</summary>
    private void OnRunEnded(ScheduledRun run, in RunResult result)
    {
        var job = run.Job;
        var now = _time.GetUtcNow();
        var admitted = default(InlineList<ScheduledRun>);
        var notices = default(InlineList<RunNotice>);
        lock (_gate)
        {
            // Count first, then report (below, outside the lock): a listener or log reader that asks for the job's
            // state sees this run in it. The run stays in flight until reported, so WaitForIdleAsync waits for that.
            if (result.LockHeld)
            {
                RecordSkippedLocked(job, run.ScheduledTicks, SkipReason.LockHeld, 1, now.UtcTicks, ref notices, run.ClaimId);
            }
            else
            {
                RecordOutcomeLocked(job, run, result);
                RecordEndedLocked(run, result, now);
            }

            job.InFlight--;
            if (job.Parked)
            {
                job.Parked = false;
                if (!job.Removed && !job.Paused && job.Options.Enabled && _state < StateStopping)
                {
                    ProcessDueLocked(job, now.UtcTicks, ref admitted, ref notices);
                }
            }
        }

        if (admitted.IsEmpty)
        {
            // The run's slot goes to the next queued run, if any.
            Drain(holdingSlot: true);
        }
        else
        {
            Interlocked.Decrement(ref _running);
            Admit(admitted, now.UtcTicks);
        }

        _reporter.Report(in notices);
        run.Revoked?.Dispose();
        if (!result.LockHeld)
        {
            _reporter.RunEnded(job.Id, run.ScheduledTicks, result.Outcome, result.Error, result.Attempts, result.Duration, run.Options.Timeout, now);
        }

        ExitFlight();
    }
}
