namespace ChronoFlow;

/// <summary>How a failed run is retried: how many attempts, how long to wait between them, and which failures to retry.</summary>
/// <remarks>
/// The delay before attempt <c>n + 1</c> is <c>min(MaxDelay, BaseDelay × 2^(n-1))</c>, then reduced by a random
/// fraction of up to <see cref="Jitter"/> so that jobs failing together do not retry together. Delays are measured on
/// the scheduler's <see cref="TimeProvider"/>. <see cref="JobContext.Attempt"/> counts the attempts from 1.
/// </remarks>
/// <threadsafety>Instances are immutable once built; every member is safe to call from any thread.</threadsafety>
public sealed class RetryPolicy
{
    /// <summary>Gets the policy that never retries: one attempt. It is what <c>new RetryPolicy()</c> gives too.</summary>
    public static RetryPolicy None { get; } = new();

    /// <summary>Gets the most attempts a run makes, the first included; set it above 1 to retry.</summary>
    /// <value>The default is 1: no retry, the same as <see cref="None"/>, so that a policy retries only when asked to.</value>
    public int MaxAttempts { get; init; } = 1;

    /// <summary>Gets the delay before the first retry.</summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the longest delay between two attempts.</summary>
    /// <value>The default is 5 minutes.</value>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets the largest fraction (0 to 1) by which each delay is randomly shortened.</summary>
    /// <value>The default is 0.2.</value>
    public double Jitter { get; init; } = 0.2;

    /// <summary>
    /// Gets which failures are retried, given the failure in a <see cref="RetryPredicateArguments"/>. A timeout is passed
    /// as a <see cref="TimeoutException"/>. Cancellation by the scheduler's shutdown is never retried. A predicate that
    /// throws stops the retries; the exception is logged.
    /// </summary>
    /// <value>The default, <see langword="null"/>, retries every exception and timeouts.</value>
    public Func<RetryPredicateArguments, bool>? ShouldRetry { get; init; }

    /// <summary>Gets the delay before the attempt after <paramref name="failedAttempt"/>, without jitter.</summary>
    /// <param name="failedAttempt">The attempt that failed, from 1.</param>
    /// <returns>The delay.</returns>
    public TimeSpan GetBaseDelay(int failedAttempt)
    {
        var exponent = Math.Clamp(failedAttempt - 1, 0, 62);
        var ticks = BaseDelay.Ticks * Math.Pow(2, exponent);
        return ticks >= MaxDelay.Ticks ? MaxDelay : TimeSpan.FromTicks((long)ticks);
    }

    internal TimeSpan GetDelay(int failedAttempt, double random01)
    {
        var d = GetBaseDelay(failedAttempt);
        var jitter = Math.Clamp(Jitter, 0, 1);
        return jitter == 0 ? d : TimeSpan.FromTicks((long)(d.Ticks * (1 - (jitter * random01))));
    }

    internal void CollectErrors(string jobId, ref List<string>? errors)
    {
        if (MaxAttempts < 1)
        {
            (errors ??= []).Add($"Job '{jobId}': {nameof(RetryPolicy)}.{nameof(MaxAttempts)} must be at least 1, not {MaxAttempts}.");
        }

        if (BaseDelay < TimeSpan.Zero || MaxDelay < TimeSpan.Zero)
        {
            (errors ??= []).Add($"Job '{jobId}': {nameof(RetryPolicy)} delays must not be negative.");
        }

        if (double.IsNaN(Jitter) || Jitter < 0 || Jitter > 1)
        {
            (errors ??= []).Add($"Job '{jobId}': {nameof(RetryPolicy)}.{nameof(Jitter)} must be between 0 and 1, not {Jitter}.");
        }
    }
}
