namespace ChronoFlow;

/// <summary>How one job runs: timeout, concurrency, misfire handling, retries, locking.</summary>
/// <remarks>
/// The scheduler takes a copy when the job is registered, so changing an instance afterwards does not change the job;
/// register it again with <see cref="JobScheduler.AddOrUpdate(string, Schedule, Func{JobContext, CancellationToken, ValueTask}, JobOptions?)"/>.
/// </remarks>
/// <threadsafety>Not thread-safe while being configured; read-only use after registration is safe from any thread.</threadsafety>
public class JobOptions
{
    /// <summary>Gets or sets the time a run may take before its token is cancelled and it is recorded as timed out.</summary>
    /// <value>The default, <see langword="null"/>, means no timeout.</value>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Gets or sets how many runs of the job may be in flight (queued or running) at once.</summary>
    /// <value>The default is 1: a job never overlaps itself.</value>
    public int MaxConcurrency { get; set; } = 1;

    /// <summary>Gets or sets what a due run does when <see cref="MaxConcurrency"/> is reached.</summary>
    /// <value>The default is <see cref="OverlapPolicy.Skip"/>. <see cref="MisfirePolicy.RunAll"/> always waits.</value>
    public OverlapPolicy Overlap { get; set; } = OverlapPolicy.Skip;

    /// <summary>Gets or sets what happens to runs later than <see cref="MisfireGracePeriod"/>.</summary>
    /// <value>The default is <see cref="MisfirePolicy.RunOnce"/>: after a quiet period, one catch-up run.</value>
    public MisfirePolicy Misfire { get; set; } = MisfirePolicy.RunOnce;

    /// <summary>Gets or sets how late a run may start and still count as on time.</summary>
    /// <value>The default is 1 minute.</value>
    public TimeSpan MisfireGracePeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Gets or sets how failed runs are retried.</summary>
    /// <value>The default is <see cref="RetryPolicy.None"/>: one attempt.</value>
    public RetryPolicy Retry { get; set; } = RetryPolicy.None;

    /// <summary>Gets or sets whether the job runs on its schedule. A disabled job is kept, and can still be triggered.</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Enabled { get; set; } = true;

    /// <summary>Gets or sets a description for people reading job lists and logs.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Description { get; set; }

    /// <summary>
    /// Gets or sets a lock key: runs of all jobs that share it, in this process or (with a file lock provider)
    /// in any process on the machine, never overlap. A run that finds the lock held is skipped and counted.
    /// </summary>
    /// <value>The default, <see langword="null"/>, takes no lock.</value>
    public string? LockKey { get; set; }

    internal static JobOptions Default { get; } = new();

    /// <summary>A copy, so that neither the caller nor a reader of a snapshot can change a registered job.</summary>
    /// <summary>
    /// Gets or sets whether a run that was <see cref="JobOutcome.Abandoned"/> (its process died, with a
    /// <see cref="SchedulerOptions.Store"/>) runs again, with the same scheduled time, in the process that finds it.
    /// </summary>
    /// <value>
    /// The default, <see langword="null"/>, means yes for a one-time job (<see cref="Schedule.Once(DateTimeOffset)"/>),
    /// whose only occurrence would otherwise be lost, and no for the others, whose next occurrence comes anyway.
    /// </value>
    public bool? RecoverAbandoned { get; set; }

    internal JobOptions Clone() => (JobOptions)MemberwiseClone();

    /// <summary>Checks the options of job <paramref name="jobId"/> and returns every problem, one sentence each.</summary>
    /// <param name="jobId">The job the options are for; each message names it.</param>
    /// <returns>The problems; empty when the options are valid.</returns>
    public IReadOnlyList<string> GetErrors(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        List<string>? errors = null;
        CollectErrors(jobId, ref errors);
        return errors ?? (IReadOnlyList<string>)[];
    }

    /// <summary>Throws one <see cref="ArgumentException"/> that lists every problem, when there is any; allocates nothing when there is none.</summary>
    internal void ThrowIfInvalid(string jobId)
    {
        List<string>? errors = null;
        CollectErrors(jobId, ref errors);
        if (errors is not null)
        {
            throw new ArgumentException(string.Join(" ", errors), "options");
        }
    }

    private void CollectErrors(string jobId, ref List<string>? errors)
    {
        if (Timeout is { } t && t <= TimeSpan.Zero && t != System.Threading.Timeout.InfiniteTimeSpan)
        {
            (errors ??= []).Add($"Job '{jobId}': {nameof(Timeout)} must be positive, not {t}.");
        }

        if (MaxConcurrency < 1)
        {
            (errors ??= []).Add($"Job '{jobId}': {nameof(MaxConcurrency)} must be at least 1, not {MaxConcurrency}.");
        }

        if (MisfireGracePeriod < TimeSpan.Zero)
        {
            (errors ??= []).Add($"Job '{jobId}': {nameof(MisfireGracePeriod)} must not be negative, not {MisfireGracePeriod}.");
        }

        if (!Enum.IsDefined(Misfire))
        {
            (errors ??= []).Add($"Job '{jobId}': {nameof(Misfire)} {(int)Misfire} is not a {nameof(MisfirePolicy)}.");
        }

        if (!Enum.IsDefined(Overlap))
        {
            (errors ??= []).Add($"Job '{jobId}': {nameof(Overlap)} {(int)Overlap} is not an {nameof(OverlapPolicy)}.");
        }

        if (Retry is null)
        {
            (errors ??= []).Add($"Job '{jobId}': {nameof(Retry)} must not be null; use {nameof(RetryPolicy)}.{nameof(RetryPolicy.None)}.");
        }
        else
        {
            Retry.CollectErrors(jobId, ref errors);
        }
        if (LockKey is { Length: 0 })
        {
            (errors ??= []).Add($"Job '{jobId}': {nameof(LockKey)} must not be empty; use null for no lock.");
        }
    }
}
