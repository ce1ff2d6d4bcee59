namespace ChronoFlow;

/// <summary>
/// Holds runs that are due and admitted but wait for a slot under <see cref="SchedulerOptions.MaxConcurrentRuns"/>.
/// </summary>
/// <remarks>
/// <para>
/// A queue that refuses a run (because it is full) makes the scheduler record the run as rejected: counted in the
/// job's state, logged and reported to listeners, never dropped silently.
/// </para>
/// <para>
/// A queue stores the <see cref="QueuedRun"/> values it is given and hands the same values back: the scheduler finds
/// its run in them. A value the scheduler did not admit (one made with the public constructor) is logged and ignored.
/// The order of <see cref="TryDequeue"/> is the queue's to choose (first in, first out; by priority; fair per job).
/// </para>
/// </remarks>
/// <threadsafety>
/// The scheduler calls every member from any thread, outside its own lock, so that a queue never holds up dispatch:
/// an implementation must be safe for concurrent use. <see cref="Count"/> must include every run whose
/// <see cref="TryEnqueue"/> has returned and that was not taken yet.
/// </threadsafety>
public interface IJobQueue
{
    /// <summary>Gets the number of runs waiting.</summary>
    int Count { get; }

    /// <summary>Adds a run.</summary>
    /// <param name="run">The run.</param>
    /// <returns><see langword="false"/> when the queue is full and the run is refused.</returns>
    bool TryEnqueue(QueuedRun run);

    /// <summary>Takes the next run to start.</summary>
    /// <param name="run">The run, when there is one.</param>
    /// <returns><see langword="false"/> when the queue is empty.</returns>
    bool TryDequeue(out QueuedRun run);
}

/// <summary>A run waiting in an <see cref="IJobQueue"/>: which job, which occurrence.</summary>
/// <remarks><c>default(QueuedRun)</c> has an empty <see cref="JobId"/> and the zero time; reading it never throws.</remarks>
/// <threadsafety>An immutable value; safe to read from any thread.</threadsafety>
public readonly struct QueuedRun : IEquatable<QueuedRun>
{
    private readonly string? _jobId;
    private readonly long _scheduledTicks;

    /// <summary>Creates a run value, for tests of a queue and for queues that make their own.</summary>
    /// <param name="jobId">The id of the job.</param>
    /// <param name="scheduledTime">The occurrence the run is for.</param>
    /// <exception cref="ArgumentNullException"><paramref name="jobId"/> is <see langword="null"/>.</exception>
    public QueuedRun(string jobId, DateTimeOffset scheduledTime)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        _jobId = jobId;
        _scheduledTicks = scheduledTime.UtcTicks;
    }

    internal QueuedRun(JobRun run)
    {
        _jobId = run.JobId;
        _scheduledTicks = run.ScheduledTicks;
        Run = run;
    }

    /// <summary>Gets the id of the job.</summary>
    public string JobId => _jobId ?? string.Empty;

    /// <summary>Gets the occurrence the run is for, in UTC.</summary>
    public DateTimeOffset ScheduledTime => new(_scheduledTicks, TimeSpan.Zero);

    /// <summary>The scheduler's own run, when the scheduler made this value.</summary>
    internal JobRun? Run { get; }

    /// <inheritdoc/>
    public bool Equals(QueuedRun other) => ReferenceEquals(Run, other.Run) && JobId == other.JobId && _scheduledTicks == other._scheduledTicks;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is QueuedRun other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(JobId, _scheduledTicks);

    /// <summary>Compares two runs by value.</summary>
    /// <param name="left">One run.</param>
    /// <param name="right">The other run.</param>
    /// <returns><see langword="true"/> when they are the same run.</returns>
    public static bool operator ==(QueuedRun left, QueuedRun right) => left.Equals(right);

    /// <summary>Compares two runs by value.</summary>
    /// <param name="left">One run.</param>
    /// <param name="right">The other run.</param>
    /// <returns><see langword="true"/> when they are not the same run.</returns>
    public static bool operator !=(QueuedRun left, QueuedRun right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => $"{JobId} @ {ScheduledTime:O}";
}
