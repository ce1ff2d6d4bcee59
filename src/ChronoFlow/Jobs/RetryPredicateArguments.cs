namespace ChronoFlow;

/// <summary>What <see cref="RetryPolicy.ShouldRetry"/> is told about a failed attempt.</summary>
/// <remarks>A struct, so that members can be added later without breaking predicates written today.</remarks>
/// <threadsafety>An immutable value; safe to read from any thread.</threadsafety>
public readonly struct RetryPredicateArguments
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="jobId">The id of the job.</param>
    /// <param name="scheduledTime">The occurrence the run is for, in UTC.</param>
    /// <param name="attempt">The attempt that failed, from 1.</param>
    /// <param name="exception">Why it failed: the job's exception, or a <see cref="TimeoutException"/> for a timeout.</param>
    public RetryPredicateArguments(string jobId, DateTimeOffset scheduledTime, int attempt, Exception exception)
    {
        JobId = jobId;
        ScheduledTime = scheduledTime;
        Attempt = attempt;
        Exception = exception;
    }

    /// <summary>Gets the id of the job.</summary>
    public string JobId { get; }

    /// <summary>Gets the occurrence the run is for, in UTC.</summary>
    public DateTimeOffset ScheduledTime { get; }

    /// <summary>Gets the attempt that failed, from 1.</summary>
    public int Attempt { get; }

    /// <summary>Gets why the attempt failed: the job's exception, or a <see cref="TimeoutException"/> for a timeout.</summary>
    public Exception Exception { get; }
}
