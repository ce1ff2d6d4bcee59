using Microsoft.Extensions.Logging;

namespace ChronoFlow;

public sealed partial class JobScheduler
{
    /// <summary>An instant in logs: ISO 8601 round-trip form in UTC, or <c>none</c>.</summary>
    private static string LogTime(long ticks) => ticks == Schedule.NoOccurrence ? "none" : new DateTime(ticks, DateTimeKind.Utc).ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The scheduler's own log messages: administration (event ids 2xx) and its lifecycle (3xx).</summary>
    private static partial class SchedulerLog
    {
        [LoggerMessage(200, LogLevel.Information, "Job {JobId} added: {Schedule}, next run {NextRun}", EventName = "JobAdded")]
        public static partial void JobAdded(ILogger logger, string jobId, string schedule, string nextRun);

        [LoggerMessage(201, LogLevel.Information, "Job {JobId} updated: {Schedule}, next run {NextRun}", EventName = "JobUpdated")]
        public static partial void JobUpdated(ILogger logger, string jobId, string schedule, string nextRun);

        [LoggerMessage(202, LogLevel.Information, "Job {JobId} removed", EventName = "JobRemoved")]
        public static partial void JobRemoved(ILogger logger, string jobId);

        [LoggerMessage(203, LogLevel.Information, "Job {JobId} paused", EventName = "JobPaused")]
        public static partial void JobPaused(ILogger logger, string jobId);

        [LoggerMessage(204, LogLevel.Information, "Job {JobId} resumed, next run {NextRun}", EventName = "JobResumed")]
        public static partial void JobResumed(ILogger logger, string jobId, string nextRun);

        [LoggerMessage(205, LogLevel.Information, "Job {JobId} triggered", EventName = "JobTriggered")]
        public static partial void JobTriggered(ILogger logger, string jobId);

        [LoggerMessage(300, LogLevel.Information, "Scheduler started in {Mode} mode with {JobCount} job(s)", EventName = "SchedulerStarted")]
        public static partial void SchedulerStarted(ILogger logger, SchedulerMode mode, int jobCount);

        [LoggerMessage(301, LogLevel.Information, "Scheduler stopping: waiting up to {ShutdownTimeout} for {Running} run(s)", EventName = "SchedulerStopping")]
        public static partial void SchedulerStopping(ILogger logger, TimeSpan shutdownTimeout, int running);

        [LoggerMessage(305, LogLevel.Information, "Scheduler stopping: cancelling {Running} run(s) now, as ShutdownTimeout is zero", EventName = "SchedulerStoppingNow")]
        public static partial void SchedulerStoppingNow(ILogger logger, int running);

        [LoggerMessage(302, LogLevel.Warning, "Scheduler stop: {Running} run(s) still going after the shutdown timeout; cancelling them", EventName = "SchedulerStopCancelling")]
        public static partial void SchedulerStopCancelling(ILogger logger, int running);

        [LoggerMessage(303, LogLevel.Information, "Scheduler stopped", EventName = "SchedulerStopped")]
        public static partial void SchedulerStopped(ILogger logger);

        [LoggerMessage(306, LogLevel.Error, "The job queue returned a run the scheduler did not admit (job {JobId}, scheduled {ScheduledTime:O}); it is ignored. A queue must hand back the QueuedRun values it was given.", EventName = "ForeignQueuedRun")]
        public static partial void ForeignQueuedRun(ILogger logger, string jobId, DateTimeOffset scheduledTime);
    }
}
