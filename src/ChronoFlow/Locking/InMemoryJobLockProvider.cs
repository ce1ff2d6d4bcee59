namespace ChronoFlow;

/// <summary>The default <see cref="IJobLockProvider"/>: leases held in this process only.</summary>
/// <threadsafety>Safe to call from any thread.</threadsafety>
public sealed class InMemoryJobLockProvider : IJobLockProvider
{
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask<IAsyncDisposable?> TryAcquireAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_held)
        {
            return new(_held.Add(key) ? new Lease(this, key) : null);
        }
    }

    private void Release(string key)
    {
        lock (_held)
        {
            _held.Remove(key);
        }
    }

    private sealed class Lease(InMemoryJobLockProvider owner, string key) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(key);
            }

            return default;
        }
    }
}
