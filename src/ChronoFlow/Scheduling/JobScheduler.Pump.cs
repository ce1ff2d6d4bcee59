namespace ChronoFlow;

public sealed partial class JobScheduler
{
    /// <summary>Next due times of the jobs that are scheduled (not paused, disabled, parked or finished).</summary>
    private readonly Timeline<JobEntry> _timeline = new();

    /// <summary>The earliest live due time, or <see cref="long.MaxValue"/>; read without the lock by <see cref="Pump"/>.</summary>
    private long _nextDueTicks = long.MaxValue;
    private long _lastPumpTicks;

    /// <summary>
    /// The list a pump collects its admitted runs in, kept between pumps (taken with an exchange, so concurrent pumps
    /// never share it): a pump that finds a thousand jobs due would otherwise grow a new list every time.
    /// </summary>
    private List<ScheduledRun>? _spareAdmitted;

    /// <summary>The largest list kept for reuse; a bigger one is left to the collector.</summary>
    private const int MaxSpareAdmitted = 1 << 16;

    /// <summary>
    /// Starts the runs that are due, without waiting for any of them, and returns how many it started.
    /// </summary>
    /// <returns>
    /// How many runs it admitted: started on the thread pool, or queued for a slot under
    /// <see cref="SchedulerOptions.MaxConcurrentRuns"/>. 0 after the scheduler stopped.
    /// </returns>
    /// <remarks>
    /// When nothing is due this is one clock read and one compare, and allocates nothing, so a web app can call it on
    /// every request. In hard mode the scheduler's timer calls it; calling it as well is harmless.
    /// </remarks>
    public int Pump()
    {
        var now = _time.GetUtcNow().UtcTicks;
        _lastPumpTicks = now;
        return now < Volatile.Read(ref _nextDueTicks) ? 0 : PumpDue(now);
    }

    private int PumpDue(long now)
    {
        var admitted = new InlineList<ScheduledRun>(Interlocked.Exchange(ref _spareAdmitted, null));
        var notices = default(InlineList<RunNotice>);
        lock (_gate)
        {
            if (_state >= StateStopping || !_storeReady || _storeDown)
            {
                // Stopped, or the store has not been opened (StartAsync): nothing runs before its state is restored.
                // Or the store is down: nothing can be claimed, so what is due waits for it (the writer re-arms).
                Volatile.Write(ref _spareAdmitted, admitted.Rest);
                return 0;
            }

            while (_timeline.TryTakeDue(now, out var job))
            {
                ProcessDueLocked(job, now, ref admitted, ref notices);
            }

            if (_deferred.Count != 0)
            {
                SettleDeferredLocked(now, all: false, ref admitted);
            }

            Volatile.Write(ref _nextDueTicks, NextDueLocked());
            ArmTimerLocked(now);
        }

        _reporter.Report(in notices);
        var started = Admit(admitted, now);
        if (admitted.Rest is { } rest && rest.Capacity <= MaxSpareAdmitted)
        {
            rest.Clear();
            Volatile.Write(ref _spareAdmitted, rest);
        }

        return started;
    }

    /// <summary>
    /// Applies the misfire and overlap policy to a job whose cursor may be due, admits what may start, and puts the job
    /// back on the timeline at its next occurrence, or parks it until one of its runs ends.
    /// </summary>
    /// <remarks>
    /// With a store, admitting a run does not write the job's state: the run's end writes it (with the cursor moved
    /// past the occurrence), and until then the stored cursor lags, which is safe, since the occurrence is claimed and
    /// stays claimed (an abandoned run keeps it; only its recovery runs it again). So a run costs one state write, not
    /// two, and processes that lose the claim write none. Skips and misses count, and are written with the history row
    /// they add.
    /// </remarks>
    private void ProcessDueLocked(JobEntry job, long now, ref InlineList<ScheduledRun> admitted, ref InlineList<RunNotice> notices)
    {
        // Another peer's job (JobScheduler.Peers): that peer claims, runs and counts it; this process only claims late
        // what it would have started, in case the peer did not.
        var foreign = IsForeignLocked(job);
        while (true)
        {
            var d = DuePolicy.Decide(job.Schedule, job.Options, job.Cursor, job.InFlight, now);
            switch (d.Action)
            {
                case DueAction.Wait:
                    InsertLocked(job, now);
                    return;
                case DueAction.Park:
                    job.Parked = true;
                    return;
                case DueAction.SkipBusy when !foreign:
                    RecordSkippedLocked(job, d.Scheduled, SkipReason.Busy, d.Count, now, ref notices);
                    break;
                case DueAction.Miss when !foreign:
                    RecordMissedLocked(job, d.Scheduled, d.Count, now, ref notices);
                    break;
                case DueAction.SkipBusy or DueAction.Miss:
                    break;
                case DueAction.Start when foreign:
                    DeferLocked(job, d.Scheduled, now);
                    break;
                default:
                    if (d.CountedAs == SkipReason.Misfired)
                    {
                        RecordMissedLocked(job, d.Scheduled, d.Count, now, ref notices);
                    }
                    else if (d.CountedAs == SkipReason.Coalesced)
                    {
                        RecordSkippedLocked(job, d.Scheduled, SkipReason.Coalesced, d.Count, now, ref notices);
                    }

                    admitted.Add(AdmitLocked(job, d.Scheduled, manual: false));
                    break;
            }

            job.Cursor = d.NextCursor;
        }
    }

    /// <summary>Takes a job off the timeline and puts it back at its cursor, if it may run (not paused, parked or disabled).</summary>
    private void RequeueLocked(JobEntry job, long now)
    {
        _timeline.Remove(job);
        if (!job.Paused && !job.Parked && job.Options.Enabled)
        {
            InsertLocked(job, now);
        }
    }

    /// <summary>Puts a job on the timeline at its cursor; in hard mode, wakes the timer when that is sooner.</summary>
    private void InsertLocked(JobEntry job, long now)
    {
        if (job.Cursor == Schedule.NoOccurrence)
        {
            _timeline.Remove(job);
            return;
        }

        _timeline.Insert(job, job.Cursor);
        if (job.Cursor < _nextDueTicks)
        {
            Volatile.Write(ref _nextDueTicks, job.Cursor);
            ArmTimerLocked(now);
        }
    }
}
