namespace ChronoFlow;

/// <summary>
/// The durable state of one job, as a store keeps it: where its schedule stands, whether it is paused, and its counts
/// and last run.
/// </summary>
/// <threadsafety>Immutable; safe to read from any thread.</threadsafety>
public sealed record JobState
{
    /// <summary>Gets the job id.</summary>
    public required string JobId { get; init; }

    /// <summary>
    /// Gets the identity of the schedule the state belongs to (its canonical text). A job registered again with the
    /// same identity resumes from <see cref="NextOccurrence"/>; with another it starts afresh.
    /// </summary>
    public required string Schedule { get; init; }

    /// <summary>Gets the next occurrence to consider; <see langword="null"/> when none is left (a one-time job that ran).</summary>
    public DateTimeOffset? NextOccurrence { get; init; }

    /// <summary>Gets whether the job is paused.</summary>
    public bool Paused { get; init; }

    /// <summary>Gets how many runs ended.</summary>
    public long RunCount { get; init; }

    /// <summary>Gets how many runs succeeded.</summary>
    public long SuccessCount { get; init; }

    /// <summary>Gets how many runs failed, timed out or were cancelled.</summary>
    public long FailureCount { get; init; }

    /// <summary>Gets how many runs timed out.</summary>
    public long TimeoutCount { get; init; }

    /// <summary>Gets how many retries ran.</summary>
    public long RetryCount { get; init; }

    /// <summary>Gets how many due runs were skipped.</summary>
    public long SkipCount { get; init; }

    /// <summary>Gets how many occurrences were missed past the grace period.</summary>
    public long MisfireCount { get; init; }

    /// <summary>Gets how many runs a full queue rejected.</summary>
    public long RejectedCount { get; init; }

    /// <summary>Gets how many occurrences were folded into another run.</summary>
    public long CoalescedCount { get; init; }

    /// <summary>Gets how many runs were abandoned by a process that died or stalled.</summary>
    public long AbandonedCount { get; init; }

    /// <summary>Gets when the last run started.</summary>
    public DateTimeOffset? LastRun { get; init; }

    /// <summary>Gets the occurrence of the last run.</summary>
    public DateTimeOffset? LastScheduledTime { get; init; }

    /// <summary>Gets how long the last run took.</summary>
    public TimeSpan? LastDuration { get; init; }

    /// <summary>Gets how the last run ended.</summary>
    public JobOutcome? LastOutcome { get; init; }

    /// <summary>Gets the error of the last run, when it did not succeed.</summary>
    public string? LastError { get; init; }
}
