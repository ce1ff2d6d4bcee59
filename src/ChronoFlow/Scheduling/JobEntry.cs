namespace ChronoFlow;

/// <summary>A registered job: its definition, its place on the timeline and its counters. Guarded by the scheduler's lock.</summary>
internal sealed class JobEntry(string id, Schedule schedule, Func<JobContext, CancellationToken, ValueTask> action, JobOptions options) : TimelineNode
{
    public readonly string Id = id;
    public Schedule Schedule = schedule;
    public Func<JobContext, CancellationToken, ValueTask> Action = action;
    public JobOptions Options = options;

    /// <summary>The next occurrence to consider, UTC ticks; <see cref="Schedule.NoOccurrence"/> when none.</summary>
    public long Cursor = Schedule.NoOccurrence;

    /// <summary>Due but waiting for one of its runs to end (RunAll, or OverlapPolicy.Wait); off the timeline.</summary>
    public bool Parked;
    public bool Paused;
    public bool Removed;

    /// <summary>Runs queued or running.</summary>
    public int InFlight;

    /// <summary>Changed since the store last saved it; listed in the scheduler's dirty list. Only with a store.</summary>
    public bool Dirty;

    /// <summary>Which of the store's writers writes its rows (<c>JobScheduler.StoreLane</c>); -1 until first asked.</summary>
    public int Lane = -1;

    /// <summary>The peers' epoch that <see cref="Foreign"/> was decided for (<c>JobScheduler.Peers</c>); -1 until first asked.</summary>
    public int PeerEpoch = -1;

    /// <summary>Assigned to another process sharing the store, which claims it on time; this one claims it late.</summary>
    public bool Foreign;

    /// <summary>Among the jobs divided between processes sharing the store (recurring and registered): counted in the job set's hash.</summary>
    public bool Divided;

    /// <summary>The identity of the schedule as registered (<see cref="Schedule.Identity"/>), kept with its state. Only with a store.</summary>
    public string? StoreKey;

    /// <summary>History; allocated on the first event so that a million idle jobs stay small.</summary>
    public JobStats? Stats;

    public JobStats GetStats() => Stats ??= new JobStats();
}

/// <summary>The counters and last-run facts of a job.</summary>
internal sealed class JobStats
{
    public long RunCount;
    public long SuccessCount;
    public long FailureCount;
    public long TimeoutCount;
    public long RetryCount;
    public long SkipCount;
    public long MisfireCount;
    public long RejectedCount;
    public long CoalescedCount;
    public long AbandonedCount;
    public long LastRunTicks = -1;
    public long LastScheduledTicks = -1;
    public long LastDurationTicks = -1;
    public JobOutcome? LastOutcome;
    public string? LastError;
}

/// <summary>A run admitted by the scheduler: the runner's view plus the job it belongs to; the thread-pool work item that runs it.</summary>
internal sealed class ScheduledRun(JobScheduler scheduler, JobEntry job, long scheduledTicks, bool manual)
    : JobRun(job.Id, scheduledTicks, manual, job.Action, job.Options), IThreadPoolWorkItem
{
    public readonly JobScheduler Scheduler = scheduler;
    public readonly JobEntry Job = job;

    /// <summary>
    /// Ended, and its finish is waiting to be written: its lease is still renewed until then, so that no sweep takes a
    /// run over whose outcome is on its way. Guarded by the scheduler's lock.
    /// </summary>
    public bool Ended;

    /// <summary>When its lease was last set in the store (claimed or renewed), on the scheduler's clock, UTC ticks; guarded by the scheduler's lock.</summary>
    public long LeaseSetTicks;

    /// <summary>Whether it runs an abandoned run again: its claim is a <see cref="RunClaim.Recovery"/>.</summary>
    public bool Recovery { get; init; }

    /// <summary>Whether it is the late claim of another peer's occurrence (<c>JobScheduler.Peers</c>): lost, it records nothing.</summary>
    public bool Late { get; init; }

    public void Execute() => _ = Scheduler.RunAsync(this);
}
