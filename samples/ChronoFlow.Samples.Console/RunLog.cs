using Microsoft.Extensions.Logging;

namespace ChronoFlow.Samples.ConsoleApp;

/// <summary>Prints one line per run: the job id, the time the run was scheduled for (ISO 8601) and the attempt.</summary>
internal sealed partial class RunLog(ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Jobs");

    public void Ran(JobContext context, string note) => LogRan(_logger, context.JobId, context.ScheduledTime, context.Attempt, note);

    [LoggerMessage(1, LogLevel.Information, "{JobId} ran: scheduled {ScheduledTime:O}, attempt {Attempt} ({Note})", EventName = "JobRan")]
    private static partial void LogRan(ILogger logger, string jobId, DateTimeOffset scheduledTime, int attempt, string note);
}
