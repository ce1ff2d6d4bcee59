namespace ChronoFlow.Hosting;

/// <summary>
/// A source of jobs that lives as long as the host: job files, a database of job definitions, a remote catalogue.
/// Register it as a singleton <see cref="IJobSource"/>; the hosted service starts every source, in registration
/// order, before the scheduler starts (so the first run sees every job), and stops them, in reverse order, before the
/// scheduler drains.
/// </summary>
/// <remarks>
/// A source adds, updates and removes its jobs with <see cref="JobScheduler.AddOrUpdate(string, Schedule, Func{JobContext, CancellationToken, ValueTask}, JobOptions?)"/>
/// and <see cref="JobScheduler.Unregister(string)"/> (this process only: a shared store keeps the job for the others). A definition that fails validation should be reported (logged with
/// where it came from) and skipped, never allowed to stop the other jobs or the host.
/// </remarks>
/// <threadsafety>The hosted service calls <see cref="StartAsync"/> and <see cref="StopAsync"/> once each, one after the other.</threadsafety>
public interface IJobSource
{
    /// <summary>Loads the source's jobs into <paramref name="scheduler"/> and starts watching for changes.</summary>
    /// <param name="scheduler">The scheduler the jobs go to; it has not started yet.</param>
    /// <param name="cancellationToken">Cancelled when the host gives up starting.</param>
    /// <returns>A task that completes when every job the source has now is registered.</returns>
    Task StartAsync(JobScheduler scheduler, CancellationToken cancellationToken);

    /// <summary>Stops watching; the jobs stay registered until the scheduler stops.</summary>
    /// <param name="cancellationToken">Cancelled when the host's shutdown timeout ends.</param>
    /// <returns>A task that completes when the source has stopped.</returns>
    Task StopAsync(CancellationToken cancellationToken);
}
