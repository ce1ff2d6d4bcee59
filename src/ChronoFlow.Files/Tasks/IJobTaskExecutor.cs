namespace ChronoFlow;

/// <summary>
/// Runs one task of a file-defined job whose <c>task.type</c> is a <see cref="JobTaskType"/> registered by the
/// application.
/// </summary>
/// <typeparam name="TTask">The task's settings, bound from the job file's <c>task</c> object when the file is loaded.</typeparam>
/// <threadsafety>
/// One executor may run several jobs, and a job with <c>max_concurrency</c> above 1 several times at once, so
/// implementations must be safe to call concurrently (or be created per run, as the hosting layer does).
/// </threadsafety>
public interface IJobTaskExecutor<in TTask>
{
    /// <summary>Runs the task once.</summary>
    /// <param name="task">
    /// The settings bound from the job file. The same instance is passed to every run of that file's content: treat
    /// it as read-only.
    /// </param>
    /// <param name="context">The run: job id, scheduled time, attempt.</param>
    /// <param name="cancellationToken">Cancelled on the job's timeout and on scheduler shutdown.</param>
    /// <returns>
    /// A task that completes when the run ends. A fault records the run as failed (and retried per the job's
    /// <c>retry</c>); an <see cref="OperationCanceledException"/> after <paramref name="cancellationToken"/> is
    /// cancelled records it as cancelled or timed out.
    /// </returns>
    ValueTask ExecuteAsync(TTask task, JobContext context, CancellationToken cancellationToken);
}
