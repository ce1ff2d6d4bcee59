namespace ChronoFlow;

/// <summary>Grants exclusive leases on lock keys (<see cref="JobOptions.LockKey"/>), so that runs sharing a key never overlap.</summary>
/// <threadsafety>Implementations must be safe to call from any thread.</threadsafety>
public interface IJobLockProvider
{
    /// <summary>Tries to take the lease on <paramref name="key"/> without waiting for it.</summary>
    /// <param name="key">The lock key.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>
    /// The lease, which the scheduler disposes when the run ends; or <see langword="null"/> when someone else holds it.
    /// </returns>
    ValueTask<IAsyncDisposable?> TryAcquireAsync(string key, CancellationToken cancellationToken);
}
