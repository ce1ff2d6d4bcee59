namespace ChronoFlow;

/// <summary>
/// Holds runs that are due and admitted but wait for a slot under <see cref="SchedulerOptions.MaxConcurrentRuns"/>.
/// </summary>
/// <remarks>
/// A queue that refuses a run (because it is full) makes the scheduler record the run as rejected: counted in the
/// job's state, logged and reported to listeners, never dropped silently.
/// </remarks>
/// <threadsafety>
/// The scheduler calls every member under its own lock, one call at a time; an implementation used by one scheduler
/// needs no locking of its own.
/// </threadsafety>
public interface IJobQueue
{
    /// <summary>Gets the number of runs waiting.</summary>
    int Count { get; }

    /// <summary>Adds a run at the back of the queue.</summary>
    /// <param name="run">The run.</param>
    /// <returns><see langword="false"/> when the queue is full and the run is refused.</returns>
    bool TryEnqueue(QueuedRun run);

    /// <summary>Takes the next run to start.</summary>
    /// <param name="run">The run, when there is one.</param>
    /// <returns><see langword="false"/> when the queue is empty.</returns>
    bool TryDequeue(out QueuedRun run);
}

/// <summary>A run waiting in an <see cref="IJobQueue"/>.</summary>
/// <threadsafety>An immutable value; safe to read from any thread.</threadsafety>
public readonly struct QueuedRun
{
    internal QueuedRun(JobRun run) => Run = run;

    /// <summary>Gets the id of the job.</summary>
    public string JobId => Run.Job.Id;

    /// <summary>Gets the occurrence the run is for, in UTC.</summary>
    public DateTimeOffset ScheduledTime => new(Run.ScheduledTicks, TimeSpan.Zero);

    internal JobRun Run { get; }
}
