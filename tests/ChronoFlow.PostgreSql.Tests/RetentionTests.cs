using ChronoFlow.Testing;

namespace ChronoFlow.PostgreSql.Tests;

/// <summary>The retention contract on a real PostgreSQL, in a schema of the test's own.</summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RetentionTests(PostgresServer server) : RetentionContract, IAsyncLifetime
{
    private readonly Stores _stores = new(server);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync();

    protected override async Task<IJobStore> OpenRetainingStoreAsync(int maxRunsPerJob = 1_000, TimeSpan? interval = null)
        => await _stores.Open(o =>
        {
            o.HistoryMaxRunsPerJob = maxRunsPerJob;
            o.RetentionInterval = interval ?? Timeout.InfiniteTimeSpan;
        });

    protected override ValueTask<long> PruneAsync(IJobStore store, DateTimeOffset now) => ((PostgreSqlJobStore)store).PruneAsync(now, CancellationToken.None);

    protected override Task RetentionTaskOf(IJobStore store) => ((PostgreSqlJobStore)store).RetentionTask;

    /// <summary>The test's schema and its stores.</summary>
    private sealed class Stores(PostgresServer server) : StoreTests(server)
    {
        public Task<PostgreSqlJobStore> Open(Action<PostgreSqlJobStoreOptions> configure) => OpenStore(configure);
    }
}
