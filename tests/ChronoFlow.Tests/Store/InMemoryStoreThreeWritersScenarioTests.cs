using ChronoFlow.Testing;

namespace ChronoFlow.Tests.Store;

/// <summary>
/// The store scenarios with three writers (<see cref="IJobStore.WriteConcurrency"/>), on the in-memory store: every
/// guarantee of one writer holds when the scheduler divides its jobs between several, each with a batch in flight.
/// </summary>
public sealed class InMemoryStoreThreeWritersScenarioTests : StoreScenarios
{
    private readonly InMemoryJobStore _store = new();

    protected override IJobStore CreateStore() => new ThreeWriters(_store);

    /// <summary>The in-memory store, which takes concurrent writes, saying that three may be in flight.</summary>
    private sealed class ThreeWriters(IJobStore inner) : IJobStore
    {
        public int WriteConcurrency => 3;

        public ValueTask<IReadOnlyList<JobState>> OpenAsync(string node, CancellationToken cancellationToken) => inner.OpenAsync(node, cancellationToken);

        public ValueTask<StoreWriteResult> WriteAsync(StoreBatch batch, CancellationToken cancellationToken) => inner.WriteAsync(batch, cancellationToken);

        public ValueTask<IReadOnlyList<RunRecord>> AbandonExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.AbandonExpiredAsync(now, cancellationToken);

        public ValueTask<IReadOnlyList<RunRecord>> GetRunsAsync(string jobId, RunQuery query, CancellationToken cancellationToken) => inner.GetRunsAsync(jobId, query, cancellationToken);

        public ValueTask<StoreSync> SyncAsync(NodeHeartbeat heartbeat, long sinceVersion, CancellationToken cancellationToken) => inner.SyncAsync(heartbeat, sinceVersion, cancellationToken);

        public ValueTask<NodeList> GetNodesAsync(CancellationToken cancellationToken) => inner.GetNodesAsync(cancellationToken);
    }
}
