namespace ChronoFlow;

/// <summary>The state of a job as <see cref="JobScheduler.GetJob(string)"/> sees it.</summary>
public enum JobStatus
{
    /// <summary>Waiting for its next run.</summary>
    Scheduled,

    /// <summary>At least one run in progress.</summary>
    Running,

    /// <summary>Paused by <see cref="JobScheduler.Pause(string)"/>.</summary>
    Paused,

    /// <summary>Registered with <see cref="JobOptions.Enabled"/> off.</summary>
    Disabled,

    /// <summary>Its schedule has no further occurrence.</summary>
    Completed,
}

/// <summary>A snapshot of one job: its definition, its state and its history.</summary>
/// <threadsafety>Immutable; safe to read from any thread.</threadsafety>
public sealed class JobInfo
{
    internal JobInfo()
    {
    }

    /// <summary>Gets the job id.</summary>
    public required string Id { get; init; }

    /// <summary>Gets the description, from <see cref="JobOptions.Description"/>.</summary>
    public string? Description { get; init; }

    /// <summary>Gets the schedule.</summary>
    public required Schedule Schedule { get; init; }

    /// <summary>Gets the schedule as text.</summary>
    public string ScheduleText => Schedule.ToString();

    /// <summary>Gets a copy of the options the job runs with; changing it does not change the job.</summary>
    public required JobOptions Options { get; init; }

    /// <summary>Gets the state.</summary>
    public JobStatus Status { get; init; }

    /// <summary>Gets the next scheduled run, in UTC; <see langword="null"/> when paused, disabled or completed.</summary>
    public DateTimeOffset? NextRun { get; init; }

    /// <summary>Gets when the last run that ended started, in UTC.</summary>
    public DateTimeOffset? LastRun { get; init; }

    /// <summary>Gets the occurrence the last run that ended was for, in UTC.</summary>
    public DateTimeOffset? LastScheduledTime { get; init; }

    /// <summary>Gets how the last run that ended ended.</summary>
    public JobOutcome? LastOutcome { get; init; }

    /// <summary>Gets how long the last run that ended took, retries included.</summary>
    public TimeSpan? LastDuration { get; init; }

    /// <summary>Gets the message of the last failure.</summary>
    public string? LastError { get; init; }

    /// <summary>Gets how many runs are queued or running now.</summary>
    public int InFlight { get; init; }

    /// <summary>Gets how many runs ended, whatever their outcome.</summary>
    public long RunCount { get; init; }

    /// <summary>Gets how many runs succeeded.</summary>
    public long SuccessCount { get; init; }

    /// <summary>Gets how many runs failed, timed out or were cancelled.</summary>
    public long FailureCount { get; init; }

    /// <summary>Gets how many of the failures were timeouts.</summary>
    public long TimeoutCount { get; init; }

    /// <summary>Gets how many attempts were retried.</summary>
    public long RetryCount { get; init; }

    /// <summary>Gets how many due runs were skipped because the job was busy, its lock was held or the scheduler stopped.</summary>
    public long SkipCount { get; init; }

    /// <summary>Gets how many occurrences were later than the grace period (run late, coalesced or dropped per the policy).</summary>
    public long MisfireCount { get; init; }

    /// <summary>Gets how many runs a full job queue rejected.</summary>
    public long RejectedCount { get; init; }

    /// <summary>
    /// Gets how many occurrences were folded into another run under <see cref="MisfirePolicy.RunOnce"/> because they
    /// fell due at the same check (a quiet spell between pumps, a busy machine); not misfires, not skips.
    /// </summary>
    public long CoalescedCount { get; init; }

    /// <summary>Gets how many runs were abandoned: their process died or stalled past its lease (with a store only).</summary>
    public long AbandonedCount { get; init; }
}

/// <summary>A snapshot of a whole scheduler, for health checks and status lines.</summary>
/// <threadsafety>Immutable; safe to read from any thread.</threadsafety>
public sealed class SchedulerStatus
{
    internal SchedulerStatus()
    {
    }

    /// <summary>Gets the mode.</summary>
    public SchedulerMode Mode { get; init; }

    /// <summary>Gets whether the scheduler dispatches: started in hard mode, or not stopped in soft mode.</summary>
    public bool IsRunning { get; init; }

    /// <summary>Gets when <see cref="JobScheduler.Pump"/> (or the hard-mode timer) last checked for due runs.</summary>
    public DateTimeOffset? LastPump { get; init; }

    /// <summary>Gets the earliest next run of any job.</summary>
    public DateTimeOffset? NextDue { get; init; }

    /// <summary>Gets how many jobs are registered.</summary>
    public int JobCount { get; init; }

    /// <summary>Gets how many runs are running.</summary>
    public int RunningCount { get; init; }

    /// <summary>Gets how many runs wait in the queue.</summary>
    public int QueueLength { get; init; }

    /// <summary>Gets the ids of the jobs whose last run did not succeed.</summary>
    public required IReadOnlyList<string> FailingJobs { get; init; }

    /// <summary>Gets how many runs succeeded since the scheduler was created.</summary>
    public long SucceededCount { get; init; }

    /// <summary>Gets how many runs failed, timed out or were cancelled.</summary>
    public long FailedCount { get; init; }

    /// <summary>Gets how many due runs were skipped or rejected.</summary>
    public long SkippedCount { get; init; }

    /// <summary>Gets how many occurrences misfired.</summary>
    public long MisfiredCount { get; init; }

    /// <summary>
    /// Gets the last error of the <see cref="SchedulerOptions.Store"/> while writes to it fail, naming the store and the
    /// cause; <see langword="null"/> when the store is healthy or there is none.
    /// </summary>
    public string? StoreError { get; init; }
}
