using Microsoft.Extensions.Logging;

namespace ChronoFlow;

/// <summary>Every log message of the scheduler, with stable event ids (1xx: runs, 2xx: admin, 3xx: scheduler).</summary>
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

    [LoggerMessage(107, LogLevel.Debug, "Job {JobId} run scheduled {ScheduledTime:O} started (attempt {Attempt}, {LatenessMs:0.###} ms late)", EventName = "RunStarted")]
    public static partial void RunStarted(ILogger logger, string jobId, DateTimeOffset scheduledTime, int attempt, double latenessMs);

    [LoggerMessage(200, LogLevel.Information, "Job {JobId} added: {Schedule}, next run {NextRun:O}", EventName = "JobAdded")]
    public static partial void JobAdded(ILogger logger, string jobId, string schedule, DateTimeOffset? nextRun);

    [LoggerMessage(201, LogLevel.Information, "Job {JobId} updated: {Schedule}, next run {NextRun:O}", EventName = "JobUpdated")]
    public static partial void JobUpdated(ILogger logger, string jobId, string schedule, DateTimeOffset? nextRun);

    [LoggerMessage(202, LogLevel.Information, "Job {JobId} removed", EventName = "JobRemoved")]
    public static partial void JobRemoved(ILogger logger, string jobId);

    [LoggerMessage(203, LogLevel.Information, "Job {JobId} paused", EventName = "JobPaused")]
    public static partial void JobPaused(ILogger logger, string jobId);

    [LoggerMessage(204, LogLevel.Information, "Job {JobId} resumed, next run {NextRun:O}", EventName = "JobResumed")]
    public static partial void JobResumed(ILogger logger, string jobId, DateTimeOffset? nextRun);

    [LoggerMessage(205, LogLevel.Information, "Job {JobId} triggered", EventName = "JobTriggered")]
    public static partial void JobTriggered(ILogger logger, string jobId);

    [LoggerMessage(300, LogLevel.Information, "Scheduler started in {Mode} mode with {JobCount} job(s)", EventName = "SchedulerStarted")]
    public static partial void SchedulerStarted(ILogger logger, SchedulerMode mode, int jobCount);

    [LoggerMessage(301, LogLevel.Information, "Scheduler stopping: waiting up to {TimeoutMs:0} ms for {Running} run(s)", EventName = "SchedulerStopping")]
    public static partial void SchedulerStopping(ILogger logger, double timeoutMs, int running);

    [LoggerMessage(302, LogLevel.Warning, "Scheduler stop timed out: cancelling {Running} run(s)", EventName = "SchedulerStopCancelling")]
    public static partial void SchedulerStopCancelling(ILogger logger, int running);

    [LoggerMessage(303, LogLevel.Information, "Scheduler stopped", EventName = "SchedulerStopped")]
    public static partial void SchedulerStopped(ILogger logger);

    [LoggerMessage(304, LogLevel.Error, "Event listener {Listener} threw", EventName = "ListenerFailed")]
    public static partial void ListenerFailed(ILogger logger, Exception exception, string listener);
}
