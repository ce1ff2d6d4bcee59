namespace ChronoFlow.Samples.ConsoleApp;

/// <summary>
/// A job class resolved from dependency injection. Each run gets a new service scope, so <see cref="ReportContext"/>
/// is a fresh instance per run (its number goes up by one each time) and is disposed when the run ends.
/// </summary>
internal sealed class ReportJob(ReportContext report, RunLog log) : IJob
{
    public ValueTask ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        log.Ran(context, $"cron with seconds, DI job, scope #{report.ScopeNumber}");
        return ValueTask.CompletedTask;
    }
}

/// <summary>A scoped service, standing in for something like a <c>DbContext</c>: one per run, disposed after it.</summary>
internal sealed class ReportContext : IDisposable
{
    private static int s_created;

    public int ScopeNumber { get; } = Interlocked.Increment(ref s_created);

    public bool IsDisposed { get; private set; }

    public void Dispose() => IsDisposed = true;
}
