using Microsoft.Extensions.Logging;

namespace ChronoFlow;

/// <summary>Log messages of <see cref="JobFileSource"/>, with stable event ids (4xx: file-defined jobs).</summary>
internal static partial class JobFileSourceLog
{
    [LoggerMessage(400, LogLevel.Error, "Job definition error: {File}: {Location}: {Reason}", EventName = "DefinitionError")]
    public static partial void DefinitionError(ILogger logger, string file, string location, string reason);

    [LoggerMessage(401, LogLevel.Warning, "Job definition warning: {File}: {Location}: {Reason}", EventName = "DefinitionWarning")]
    public static partial void DefinitionWarning(ILogger logger, string file, string location, string reason);

    [LoggerMessage(402, LogLevel.Information, "Job files loaded: {JobCount} job(s), {ErrorCount} error(s)", EventName = "DefinitionsLoaded")]
    public static partial void Loaded(ILogger logger, int jobCount, int errorCount);

    [LoggerMessage(403, LogLevel.Information, "Job {JobId} {Stream}: {Line}", EventName = "CommandOutput")]
    public static partial void CommandOutput(ILogger logger, string jobId, string stream, string line);

    [LoggerMessage(404, LogLevel.Warning, "Job {JobId} output beyond {Limit} bytes was dropped ({Dropped} bytes)", EventName = "CommandOutputTruncated")]
    public static partial void CommandOutputTruncated(ILogger logger, string jobId, long limit, long dropped);

    [LoggerMessage(405, LogLevel.Debug, "Job {JobId} command exited with code {ExitCode} in {DurationMs:0.###} ms (killed: {Killed})", EventName = "CommandExited")]
    public static partial void CommandExited(ILogger logger, string jobId, int? exitCode, double durationMs, bool killed);

    [LoggerMessage(406, LogLevel.Debug, "Job {JobId} {Method} {Url}: status {StatusCode} in {DurationMs:0.###} ms", EventName = "HttpFinished")]
    public static partial void HttpFinished(ILogger logger, string jobId, string method, Uri url, int? statusCode, double durationMs);

    [LoggerMessage(407, LogLevel.Error, "Watching {Source} failed; the periodic rescan goes on", EventName = "WatcherFailed")]
    public static partial void WatcherFailed(ILogger logger, Exception exception, string source);

    // 408 (UserIgnored) is retired: a crontab line whose user the service cannot become is now refused, never run as
    // the service's user.

    [LoggerMessage(409, LogLevel.Error, "Job definition error: {File}: {Reason}", EventName = "DefinitionFileError")]
    public static partial void DefinitionFileError(ILogger logger, string file, string reason);

    [LoggerMessage(410, LogLevel.Warning, "Job definition warning: {File}: {Reason}", EventName = "DefinitionFileWarning")]
    public static partial void DefinitionFileWarning(ILogger logger, string file, string reason);

    [LoggerMessage(411, LogLevel.Information, "Job {JobId} ({File}: {Location}) runs as user {User} through {Runuser}", EventName = "RunsAsUser")]
    public static partial void RunsAsUser(ILogger logger, string jobId, string file, string location, string user, string runuser);

    [LoggerMessage(412, LogLevel.Information, "Job {JobId} output: {Total} line(s), the last {Shown} follow ({Full})", EventName = "CommandOutputTail")]
    public static partial void CommandOutputTail(ILogger logger, string jobId, int total, int shown, string full);

    [LoggerMessage(413, LogLevel.Warning, "Job {JobId} output file {Path} cannot be written: {Reason}; the output goes only to the log", EventName = "OutputFileFailed")]
    public static partial void OutputFileFailed(ILogger logger, string jobId, string path, string reason);
}
