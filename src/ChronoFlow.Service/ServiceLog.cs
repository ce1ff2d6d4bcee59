using Microsoft.Extensions.Logging;

namespace ChronoFlow.Service;

/// <summary>The service's own log messages (5xx; the scheduler uses 1xx-3xx and the job files 4xx).</summary>
internal static partial class ServiceLog
{
    [LoggerMessage(500, LogLevel.Information, "ChronoFlow service started: jobs directory {JobsDirectory}, {CrontabCount} crontab(s), {JobCount} job(s), node {Node}", EventName = "ServiceStarted")]
    public static partial void Started(ILogger logger, string jobsDirectory, int crontabCount, int jobCount, string node);

    [LoggerMessage(501, LogLevel.Information, "Status: {JobCount} job(s), {FailingCount} failing", EventName = "Status")]
    public static partial void Status(ILogger logger, int jobCount, int failingCount);

    [LoggerMessage(502, LogLevel.Information, "Status: job {JobId}: {State}, next run {NextRun}, runs {RunCount}, failures {FailureCount}, last {LastOutcome}", EventName = "JobStatus")]
    public static partial void JobStatus(ILogger logger, string jobId, string state, string nextRun, long runCount, long failureCount, string lastOutcome);

    [LoggerMessage(503, LogLevel.Information, "Stopping on {Signal}: running commands get SIGTERM, then SIGKILL after {GraceSeconds} s", EventName = "ServiceStopping")]
    public static partial void Stopping(ILogger logger, string signal, double graceSeconds);

    [LoggerMessage(504, LogLevel.Information, "ChronoFlow service stopped", EventName = "ServiceStopped")]
    public static partial void Stopped(ILogger logger);

    [LoggerMessage(505, LogLevel.Critical, "ChronoFlow service cannot start: {Reason}", EventName = "ServiceCannotStart")]
    public static partial void CannotStart(ILogger logger, string reason);

    [LoggerMessage(507, LogLevel.Information, "Dashboard at {Dashboard} (loopback requests only), Prometheus metrics at {Metrics}", EventName = "Dashboard")]
    public static partial void Dashboard(ILogger logger, string dashboard, string metrics);

    [LoggerMessage(506, LogLevel.Information, "run-due: {Started} run(s) started: {Succeeded} succeeded, {Failed} failed, {Skipped} skipped (store {Store})", EventName = "RanDue")]
    public static partial void RanDue(ILogger logger, int started, long succeeded, long failed, long skipped, string store);
}
