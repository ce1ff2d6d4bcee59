using Microsoft.Extensions.Logging;

namespace ChronoFlow;

/// <summary>The log messages about runs (event ids 1xx) and listeners (304); the scheduler's own (2xx admin, 3xx lifecycle) are in <c>JobScheduler.Log.cs</c>.</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Information, "Job {JobId} run scheduled {ScheduledTime:O}: SUCCESS in {DurationMs:0.###} ms (attempt {Attempt})", EventName = "RunSucceeded")]
    public static partial void RunSucceeded(ILogger logger, string jobId, DateTimeOffset scheduledTime, double durationMs, int attempt);

    [LoggerMessage(101, LogLevel.Error, "Job {JobId} run scheduled {ScheduledTime:O}: FAILURE in {DurationMs:0.###} ms (attempt {Attempt})", EventName = "RunFailed")]
    public static partial void RunFailed(ILogger logger, Exception exception, string jobId, DateTimeOffset scheduledTime, double durationMs, int attempt);

    [LoggerMessage(102, LogLevel.Error, "Job {JobId} run scheduled {ScheduledTime:O}: FAILURE (timed out after {TimeoutMs:0.###} ms) in {DurationMs:0.###} ms (attempt {Attempt})", EventName = "RunTimedOut")]
    public static partial void RunTimedOut(ILogger logger, string jobId, DateTimeOffset scheduledTime, double timeoutMs, double durationMs, int attempt);

    [LoggerMessage(103, LogLevel.Warning, "Job {JobId} run scheduled {ScheduledTime:O}: FAILURE (cancelled by shutdown) in {DurationMs:0.###} ms (attempt {Attempt})", EventName = "RunCancelled")]
    public static partial void RunCancelled(ILogger logger, string jobId, DateTimeOffset scheduledTime, double durationMs, int attempt);

    [LoggerMessage(104, LogLevel.Warning, "Job {JobId} run scheduled {ScheduledTime:O} skipped: {Reason}", EventName = "RunSkipped")]
    public static partial void RunSkipped(ILogger logger, string jobId, DateTimeOffset scheduledTime, SkipReason reason);

    [LoggerMessage(105, LogLevel.Warning, "Job {JobId} missed {Count} occurrence(s) from {ScheduledTime:O}, later than the grace period {GracePeriod}; policy {Policy}", EventName = "RunsMissed")]
    public static partial void RunsMissed(ILogger logger, string jobId, long count, DateTimeOffset scheduledTime, TimeSpan gracePeriod, MisfirePolicy policy);

    [LoggerMessage(106, LogLevel.Warning, "Job {JobId} run scheduled {ScheduledTime:O} attempt {Attempt} failed; retrying in {DelayMs:0.###} ms", EventName = "RunRetrying")]
    public static partial void RunRetrying(ILogger logger, Exception exception, string jobId, DateTimeOffset scheduledTime, int attempt, double delayMs);

    [LoggerMessage(108, LogLevel.Debug, "Job {JobId} had {Count} more occurrence(s) due with the one scheduled {ScheduledTime:O}; policy RunOnce runs them as one", EventName = "RunsCoalesced")]
    public static partial void RunsCoalesced(ILogger logger, string jobId, long count, DateTimeOffset scheduledTime);

    [LoggerMessage(109, LogLevel.Error, "Job {JobId}: its RetryPolicy.ShouldRetry threw, so the run is not retried", EventName = "ShouldRetryFailed")]
    public static partial void ShouldRetryFailed(ILogger logger, Exception exception, string jobId);

    [LoggerMessage(107, LogLevel.Debug, "Job {JobId} run scheduled {ScheduledTime:O} started (attempt {Attempt}, {LatenessMs:0.###} ms late)", EventName = "RunStarted")]
    public static partial void RunStarted(ILogger logger, string jobId, DateTimeOffset scheduledTime, int attempt, double latenessMs);

    [LoggerMessage(304, LogLevel.Error, "Event listener {Listener} threw", EventName = "ListenerFailed")]
    public static partial void ListenerFailed(ILogger logger, Exception exception, string listener);
}
