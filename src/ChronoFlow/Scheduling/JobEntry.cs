namespace ChronoFlow;

/// <summary>A registered job: its definition, its place on the timeline and its counters. Guarded by the scheduler's lock.</summary>
internal sealed class JobEntry(string id, Schedule schedule, Func<JobContext, CancellationToken, ValueTask> action, JobOptions options)
{
    public readonly string Id = id;
    public Schedule Schedule = schedule;
    public Func<JobContext, CancellationToken, ValueTask> Action = action;
    public JobOptions Options = options;

    /// <summary>The next occurrence to consider, UTC ticks; <see cref="Schedule.NoOccurrence"/> when none.</summary>
    public long Cursor = Schedule.NoOccurrence;

    /// <summary>Identifies this job's live timeline item; stale items (removed lazily) carry an older token.</summary>
    public int Token;
    public bool InTimeline;

    /// <summary>Due but waiting for one of its runs to end (RunAll, or OverlapPolicy.Wait); off the timeline.</summary>
    public bool Parked;
    public bool Paused;
    public bool Removed;

    /// <summary>Runs queued or running.</summary>
    public int InFlight;

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
    public long LastRunTicks = -1;
    public long LastScheduledTicks = -1;
    public long LastDurationTicks = -1;
    public JobOutcome? LastOutcome;
    public string? LastError;
}
