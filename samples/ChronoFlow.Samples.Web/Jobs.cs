using Microsoft.Extensions.Logging;

namespace ChronoFlow.Samples.Web;

/// <summary>
/// A DI job whose schedule and time zone come from configuration (<c>ChronoFlow:Jobs:digest</c>). It is resolved
/// from a new scope for each run, so it could take a <c>DbContext</c> as well.
/// </summary>
internal sealed partial class DigestJob(ILogger<DigestJob> logger) : IJob
{
    public ValueTask ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        LogSent(logger, context.ScheduledTime, context.Attempt, context.IsTriggered);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(1, LogLevel.Information, "digest ran: scheduled {ScheduledTime:O}, attempt {Attempt}, triggered by hand: {Triggered}", EventName = "DigestSent")]
    private static partial void LogSent(ILogger logger, DateTimeOffset scheduledTime, int attempt, bool triggered);
}

/// <summary>A frequent DI job, also scheduled from configuration (<c>ChronoFlow:Jobs:cache-refresh</c>).</summary>
internal sealed partial class CacheRefreshJob(ILogger<CacheRefreshJob> logger) : IJob
{
    public ValueTask ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        LogRefreshed(logger, context.ScheduledTime, context.StartedTime - context.ScheduledTime);
        return ValueTask.CompletedTask;
    }

    // In soft mode a run starts with the first request (or fallback tick) after its time, so show how late that was.
    [LoggerMessage(1, LogLevel.Information, "cache-refresh ran: scheduled {ScheduledTime:O}, started {Lateness} later", EventName = "CacheRefreshed")]
    private static partial void LogRefreshed(ILogger logger, DateTimeOffset scheduledTime, TimeSpan lateness);
}
