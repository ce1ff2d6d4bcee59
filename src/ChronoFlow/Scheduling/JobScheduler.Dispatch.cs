namespace ChronoFlow;

public sealed partial class JobScheduler
{
    /// <summary>Counts a run in flight, under the lock; the caller hands it to <see cref="Admit"/> once the lock is released.</summary>
    private ScheduledRun AdmitLocked(JobEntry job, long scheduledTicks, bool manual)
    {
        job.InFlight++;
        Interlocked.Increment(ref _inFlight);
        return new ScheduledRun(this, job, scheduledTicks, manual);
    }

    /// <summary>
    /// Puts admitted runs in the queue, outside the lock, and starts what the free slots allow. A run the queue refuses
    /// is counted and reported as rejected. Returns how many runs the queue took.
    /// </summary>
    private int Admit(in AdmittedRuns admitted, long now)
    {
        if (admitted.IsEmpty)
        {
            return 0;
        }

        var accepted = 0;
        foreach (var run in admitted)
        {
            if (_queue.TryEnqueue(new QueuedRun(run)))
            {
                accepted++;
                ChronoFlowTelemetry.QueueLength.Add(1);

                // Start it now if a slot is free, so that the queue holds only runs that really wait.
                Drain();
                continue;
            }

            var notices = default(RunNotices);
            lock (_gate)
            {
                run.Job.InFlight--;
                RecordSkippedLocked(run.Job, run.ScheduledTicks, SkipReason.QueueFull, 1, now, ref notices);
                ExitFlightLocked();
            }

            notices.ReportTo(_reporter);
        }

        return accepted;
    }

    /// <summary>
    /// Hands queued runs to the thread pool while slots are free. Slots are taken with a compare-and-swap, so no lock is
    /// needed; a run that ends frees its slot and drains again, so a run queued meanwhile is never stranded.
    /// </summary>
    private void Drain()
    {
        while (Volatile.Read(ref _state) < StateStopping)
        {
            var running = Volatile.Read(ref _running);
            if (running >= _maxConcurrentRuns)
            {
                return;
            }

            if (Interlocked.CompareExchange(ref _running, running + 1, running) != running)
            {
                continue;
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

            if (!run.Manual && run.Options.Misfire == MisfirePolicy.Skip
                && DuePolicy.IsDroppedFromQueue(run.Job.Schedule, run.Options, run.ScheduledTicks, run.Manual, _time.GetUtcNow().UtcTicks))
            {
                // It waited in the queue past its grace period: a misfire like any other.
                Interlocked.Decrement(ref _running);
                var notices = default(RunNotices);
                lock (_gate)
                {
                    run.Job.InFlight--;
                    RecordMissedLocked(run.Job, run.ScheduledTicks, 1, _time.GetUtcNow().UtcTicks, ref notices);
                    ExitFlightLocked();
                }

                notices.ReportTo(_reporter);
                continue;
            }

            ThreadPool.UnsafeQueueUserWorkItem(run, preferLocal: false);
        }
    }

    /// <summary>Runs one admitted run and records its end. Never throws.</summary>
    internal async Task RunAsync(ScheduledRun run)
    {
        var result = await _runner.RunAsync(run).ConfigureAwait(false);
        OnRunEnded(run, result);
    }

    /// <summary>Records the end of a run, frees its slots, starts what was waiting for them, then reports the run.</summary>
    private void OnRunEnded(ScheduledRun run, RunResult result)
    {
        var job = run.Job;
        var now = _time.GetUtcNow();
        var admitted = default(AdmittedRuns);
        var notices = default(RunNotices);
        lock (_gate)
        {
            // Count first, then report (below, outside the lock): a listener or log reader that asks for the job's
            // state sees this run in it. The run stays in flight until reported, so WaitForIdleAsync waits for that.
            if (result.LockHeld)
            {
                RecordSkippedLocked(job, run.ScheduledTicks, SkipReason.LockHeld, 1, now.UtcTicks, ref notices);
            }
            else
            {
                RecordOutcomeLocked(job, run, result);
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

        Interlocked.Decrement(ref _running);
        if (admitted.IsEmpty)
        {
            Drain();
        }
        else
        {
            Admit(admitted, now.UtcTicks);
        }

        notices.ReportTo(_reporter);
        if (!result.LockHeld)
        {
            _reporter.RunEnded(job.Id, run.ScheduledTicks, result.Outcome, result.Error, result.Attempts, result.Duration, run.Options.Timeout, now);
        }

        ExitFlight();
    }
}
