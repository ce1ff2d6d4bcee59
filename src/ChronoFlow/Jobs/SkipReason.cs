namespace ChronoFlow;

/// <summary>Why a due run did not start.</summary>
public enum SkipReason
{
    /// <summary>Not skipped.</summary>
    None,

    /// <summary>The job had <see cref="JobOptions.MaxConcurrency"/> runs in flight.</summary>
    Busy,

    /// <summary>The run was later than the grace period under <see cref="MisfirePolicy.Skip"/>.</summary>
    Misfired,

    /// <summary>The job queue was full (the run was rejected).</summary>
    QueueFull,

    /// <summary>Another holder had the job's <see cref="JobOptions.LockKey"/>.</summary>
    LockHeld,

    /// <summary>The scheduler stopped before the queued run started.</summary>
    Shutdown,

    /// <summary>
    /// Due at the same check as an earlier occurrence under <see cref="MisfirePolicy.RunOnce"/>, and folded into its run.
    /// </summary>
    Coalesced,

    /// <summary>The run could not be claimed: the <see cref="SchedulerOptions.Store"/> failed, and a run is never started unclaimed.</summary>
    StoreUnavailable,
}
