namespace ChronoFlow;

public sealed partial class JobScheduler
{
    /// <summary>How many missed occurrences one misfire counts at most, so that a leap of years answers at once.</summary>
    internal const long MissCountCap = 100_000;

    /// <summary>Next due times; an item is live when its token matches its job's (removal is lazy).</summary>
    private readonly PriorityQueue<TimelineItem, long> _timeline = new();
    private int _liveInTimeline;

    /// <summary>The earliest live due time, or <see cref="long.MaxValue"/>; read without the lock by <see cref="Pump"/>.</summary>
    private long _nextDueTicks = long.MaxValue;
    private long _lastPumpTicks;

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
        var started = 0;
        lock (_gate)
        {
            if (_state >= StateStopping)
            {
                return 0;
            }

            while (_timeline.TryPeek(out var item, out var due) && due <= now)
            {
                _timeline.Dequeue();
                var job = item.Job;
                if (item.Token != job.Token || !job.InTimeline)
                {
                    continue;
                }

                job.InTimeline = false;
                _liveInTimeline--;
                started += ProcessDueLocked(job, now);
            }

            Volatile.Write(ref _nextDueTicks, PeekNextDueLocked());
            ArmTimerLocked(now);
        }

        return started;
    }

    /// <summary>
    /// Applies the misfire and overlap policies to a job whose cursor may be due, starts what may start, and puts the
    /// job back on the timeline at its next occurrence, or parks it until one of its runs ends.
    /// </summary>
    private int ProcessDueLocked(JobEntry job, long now)
    {
        var started = 0;
        var options = job.Options;
        var schedule = job.Schedule;
        var grace = options.MisfireGracePeriod.Ticks;
        while (true)
        {
            var c = job.Cursor;
            if (c == Schedule.NoOccurrence)
            {
                return started;
            }

            if (c > now)
            {
                InsertLocked(job, now);
                return started;
            }

            if (job.InFlight >= options.MaxConcurrency)
            {
                if (options.Misfire == MisfirePolicy.RunAll || options.Overlap == OverlapPolicy.Wait)
                {
                    job.Parked = true;
                    return started;
                }

                // Every occurrence due by now finds the job busy.
                RecordSkippedLocked(job, c, SkipReason.Busy, schedule.Count(c, now + 1, MissCountCap), now);
                job.Cursor = schedule.Next(now);
                continue;
            }

            long scheduled;
            var late = now - c > grace && schedule.Kind != ScheduleKind.Startup;
            if (!late)
            {
                scheduled = c;
                job.Cursor = schedule.Next(c);
            }
            else
            {
                switch (options.Misfire)
                {
                    case MisfirePolicy.Skip:
                        // Drop what is past the grace period; the first occurrence within it may still run.
                        RecordMissedLocked(job, c, schedule.Count(c, now - grace, MissCountCap), now);
                        job.Cursor = schedule.Next(now - grace - 1);
                        continue;
                    case MisfirePolicy.RunOnce:
                        // One run stands for every occurrence that was later than the grace period.
                        RecordMissedLocked(job, c, Math.Max(1, schedule.Count(c, now - grace, MissCountCap)), now);
                        scheduled = c;
                        job.Cursor = schedule.Next(now);
                        break;
                    default:
                        RecordMissedLocked(job, c, 1, now);
                        scheduled = c;
                        job.Cursor = schedule.Next(c);
                        break;
                }
            }

            if (StartRunLocked(job, scheduled, manual: false, now))
            {
                started++;
            }
        }
    }

    /// <summary>Puts a job on the timeline at its cursor; in hard mode, wakes the timer when that is sooner.</summary>
    private void InsertLocked(JobEntry job, long now)
    {
        if (job.Cursor == Schedule.NoOccurrence)
        {
            return;
        }

        if (job.InTimeline)
        {
            RemoveFromTimelineLocked(job);
        }

        job.Token++;
        job.InTimeline = true;
        _liveInTimeline++;
        _timeline.Enqueue(new TimelineItem(job, job.Token), job.Cursor);
        if (_timeline.Count > 1024 && _timeline.Count > 4 * _liveInTimeline)
        {
            CompactTimelineLocked();
        }

        if (job.Cursor < _nextDueTicks)
        {
            Volatile.Write(ref _nextDueTicks, job.Cursor);
            ArmTimerLocked(now);
        }
    }

    private void RemoveFromTimelineLocked(JobEntry job)
    {
        if (job.InTimeline)
        {
            job.InTimeline = false;
            job.Token++;
            _liveInTimeline--;
        }
    }

    /// <summary>The earliest live due time; drops stale items from the top on the way.</summary>
    private long PeekNextDueLocked()
    {
        while (_timeline.TryPeek(out var item, out var due))
        {
            if (item.Token == item.Job.Token && item.Job.InTimeline)
            {
                return due;
            }

            _timeline.Dequeue();
        }

        return long.MaxValue;
    }

    /// <summary>Rebuilds the timeline without stale items, which updates of jobs far from due leave behind.</summary>
    private void CompactTimelineLocked()
    {
        var live = new List<(TimelineItem, long)>(_liveInTimeline);
        foreach (var (item, due) in _timeline.UnorderedItems)
        {
            if (item.Token == item.Job.Token && item.Job.InTimeline)
            {
                live.Add((item, due));
            }
        }

        _timeline.Clear();
        _timeline.EnqueueRange(live);
    }

    private readonly record struct TimelineItem(JobEntry Job, int Token);
}
