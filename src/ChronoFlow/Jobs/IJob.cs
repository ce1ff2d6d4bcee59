namespace ChronoFlow;

/// <summary>A job as a class, for example resolved from dependency injection once per run.</summary>
/// <threadsafety>
/// With <see cref="JobOptions.MaxConcurrency"/> above 1, or one instance shared by several jobs, implementations
/// must be safe to run concurrently.
/// </threadsafety>
public interface IJob
{
    /// <summary>Runs the job once.</summary>
    /// <param name="context">The run: job id, scheduled time, attempt.</param>
    /// <param name="cancellationToken">Cancelled on timeout and on scheduler shutdown.</param>
    /// <returns>A task that completes when the run ends; a fault records the run as failed.</returns>
    ValueTask ExecuteAsync(JobContext context, CancellationToken cancellationToken);
}
