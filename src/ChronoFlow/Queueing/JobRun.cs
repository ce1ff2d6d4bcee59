namespace ChronoFlow;

/// <summary>
/// One run of a job as the runner sees it: which job, which occurrence, what to call and how. Captured when the run
/// is admitted, so that an update of the job does not change a run in flight. The scheduler derives its own run type
/// from this one to keep its bookkeeping with it.
/// </summary>
internal class JobRun(string jobId, long scheduledTicks, bool manual, Func<JobContext, CancellationToken, ValueTask> action, JobOptions options)
{
    public readonly string JobId = jobId;

    /// <summary>The occurrence, UTC ticks; the trigger time of a manual run.</summary>
    public readonly long ScheduledTicks = scheduledTicks;

    /// <summary>Started by a trigger rather than by the schedule.</summary>
    public readonly bool Manual = manual;

    public readonly Func<JobContext, CancellationToken, ValueTask> Action = action;
    public readonly JobOptions Options = options;

    /// <summary>The id of the run's claim in the store (its history row): 0 before it is claimed, or without a store.</summary>
    public long ClaimId;

    /// <summary>
    /// With a store: cancelled when the scheduler stops, or when the run's lease was taken over by another process
    /// (this one stalled), so that the run stops. <see langword="null"/> without a store: the shutdown token serves.
    /// </summary>
    public CancellationTokenSource? Revoked;

    public DateTimeOffset ScheduledTime => new(ScheduledTicks, TimeSpan.Zero);
}

/// <summary>How a run ended, as the runner reports it.</summary>
/// <param name="Outcome">The outcome of the last attempt.</param>
/// <param name="Error">The exception of the last attempt, if any.</param>
/// <param name="Attempts">How many attempts started; 0 when the run never started (its lock was held).</param>
/// <param name="FirstStartTicks">When the first attempt started, UTC ticks; -1 when none did.</param>
/// <param name="Duration">From the first attempt's start to the end, retry delays included.</param>
/// <param name="LockHeld">The run did not start because another holder had its lock.</param>
/// <param name="Output">What the last attempt left in <see cref="JobContext.Output"/>.</param>
internal readonly record struct RunResult(JobOutcome Outcome, Exception? Error, int Attempts, long FirstStartTicks, TimeSpan Duration, bool LockHeld, string? Output = null);
