namespace ChronoFlow;

/// <summary>What happened to a run, as reported to an <see cref="IJobEventListener"/>.</summary>
public enum JobEventKind
{
    /// <summary>An attempt started.</summary>
    Started,

    /// <summary>A run succeeded.</summary>
    Succeeded,

    /// <summary>A run failed on its last attempt; <see cref="JobEvent.Exception"/> says why.</summary>
    Failed,

    /// <summary>A run timed out on its last attempt.</summary>
    TimedOut,

    /// <summary>A run was cancelled by the scheduler's shutdown.</summary>
    Cancelled,

    /// <summary>A due run did not start; <see cref="JobEvent.SkipReason"/> says why.</summary>
    Skipped,

    /// <summary>Occurrences were later than the grace period (a misfire); <see cref="JobEvent.Count"/> says how many.</summary>
    Missed,

    /// <summary>An attempt failed and another follows after <see cref="JobEvent.RetryDelay"/>.</summary>
    Retrying,
}

/// <summary>One thing that happened to a run. Passed by reference; copy what you keep.</summary>
/// <threadsafety>An immutable value; safe to read from any thread.</threadsafety>
public readonly struct JobEvent
{
    internal JobEvent(JobEventKind kind, string jobId, long scheduledTicks, DateTimeOffset timestamp)
    {
        Kind = kind;
        JobId = jobId;
        ScheduledTime = new DateTimeOffset(scheduledTicks, TimeSpan.Zero);
        Timestamp = timestamp;
    }

    /// <summary>Gets what happened.</summary>
    public JobEventKind Kind { get; }

    /// <summary>Gets the id of the job.</summary>
    public string JobId { get; }

    /// <summary>Gets the occurrence the run is for (for <see cref="JobEventKind.Missed"/>, the first missed one), in UTC.</summary>
    public DateTimeOffset ScheduledTime { get; }

    /// <summary>Gets when it happened, on the scheduler's clock.</summary>
    public DateTimeOffset Timestamp { get; }

    /// <summary>Gets the attempt, from 1; 0 when no attempt started.</summary>
    public int Attempt { get; init; }

    /// <summary>Gets how long the run took, for the events that end a run.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Gets the failure, for <see cref="JobEventKind.Failed"/> and <see cref="JobEventKind.Retrying"/>.</summary>
    public Exception? Exception { get; init; }

    /// <summary>Gets why the run was skipped, for <see cref="JobEventKind.Skipped"/>.</summary>
    public SkipReason SkipReason { get; init; }

    /// <summary>Gets how many occurrences the event covers: more than 1 for a misfire that spans several.</summary>
    public long Count { get; init; }

    /// <summary>Gets the delay before the next attempt, for <see cref="JobEventKind.Retrying"/>.</summary>
    public TimeSpan RetryDelay { get; init; }
}

/// <summary>Receives every <see cref="JobEvent"/> of a scheduler, for audit trails, dashboards or tests.</summary>
/// <threadsafety>
/// Called from the threads that run jobs and from the thread that dispatches them, sometimes under the scheduler's
/// lock: implementations must be thread-safe, quick, and must not call back into the scheduler. Exceptions they throw
/// are logged and otherwise ignored.
/// </threadsafety>
public interface IJobEventListener
{
    /// <summary>Called when something happens to a run.</summary>
    /// <param name="jobEvent">The event.</param>
    void OnEvent(in JobEvent jobEvent);
}
