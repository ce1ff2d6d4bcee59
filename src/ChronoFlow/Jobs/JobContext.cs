namespace ChronoFlow;

/// <summary>What a running job is told about its run.</summary>
/// <threadsafety>Safe to read from any thread; <see cref="Output"/> is set by the run itself.</threadsafety>
public sealed class JobContext
{
    internal JobContext(string jobId, string? description, DateTimeOffset scheduledTime, DateTimeOffset startedTime, int attempt, bool isTriggered, long runId = 0)
    {
        RunId = runId == 0 ? null : runId;
        JobId = jobId;
        Description = description;
        ScheduledTime = scheduledTime;
        StartedTime = startedTime;
        Attempt = attempt;
        IsTriggered = isTriggered;
    }

    /// <summary>Gets the id of the job.</summary>
    public string JobId { get; }

    /// <summary>Gets the job's description, if it has one.</summary>
    public string? Description { get; }

    /// <summary>
    /// Gets the occurrence this run is for, in UTC. Under <see cref="MisfirePolicy.RunAll"/> each missed occurrence
    /// runs with its own time; a triggered run has the time it was triggered.
    /// </summary>
    public DateTimeOffset ScheduledTime { get; }

    /// <summary>Gets when this attempt started, in UTC.</summary>
    public DateTimeOffset StartedTime { get; }

    /// <summary>Gets the attempt number, from 1; above 1 when <see cref="JobOptions.Retry"/> retries a failure.</summary>
    public int Attempt { get; }

    /// <summary>Gets whether the run was started by <see cref="JobScheduler.Trigger(string)"/> rather than by the schedule.</summary>
    public bool IsTriggered { get; }

    /// <summary>
    /// Gets the run's id in the <see cref="SchedulerOptions.Store"/>: the id of its history row, the same for every attempt,
    /// so that a job can make itself idempotent per run. <see langword="null"/> without a store.
    /// </summary>
    public long? RunId { get; }

    /// <summary>
    /// Gets or sets a short text the run leaves in its history row, such as the tail of a command's output. Only the
    /// last <see cref="RunRecord.MaxOutputLength"/> characters are kept, and only with a <see cref="SchedulerOptions.Store"/>.
    /// </summary>
    public string? Output { get; set; }
}
