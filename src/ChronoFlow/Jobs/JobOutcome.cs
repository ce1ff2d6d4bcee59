namespace ChronoFlow;

/// <summary>How a run that started ended.</summary>
public enum JobOutcome
{
    /// <summary>The job returned normally.</summary>
    Succeeded,

    /// <summary>The job threw on its last attempt.</summary>
    Failed,

    /// <summary>The job ran past <see cref="JobOptions.Timeout"/> on its last attempt.</summary>
    TimedOut,

    /// <summary>The scheduler stopped while the job ran, and cancelled it.</summary>
    Cancelled,

    /// <summary>
    /// The run's process died or stalled before it ended, and its lease in the <see cref="IJobStore"/> ran out; another
    /// process, or the next start, recorded it.
    /// </summary>
    Abandoned,
}
