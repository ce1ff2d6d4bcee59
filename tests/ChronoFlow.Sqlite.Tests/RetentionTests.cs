using ChronoFlow.Testing;

namespace ChronoFlow.Sqlite.Tests;

/// <summary>The retention contract on a real SQLite file.</summary>
public sealed class RetentionTests : RetentionContract, IAsyncLifetime
{
    private readonly Stores _stores = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync();

    protected override async Task<IJobStore> OpenRetainingStoreAsync(int maxRunsPerJob = 1_000, TimeSpan? interval = null)
        => await _stores.Open(o =>
        {
            o.HistoryMaxRunsPerJob = maxRunsPerJob;
            o.RetentionInterval = interval ?? Timeout.InfiniteTimeSpan;
        });

    protected override ValueTask<long> PruneAsync(IJobStore store, DateTimeOffset now) => ((SqliteJobStore)store).PruneAsync(now, CancellationToken.None);

    protected override Task RetentionTaskOf(IJobStore store) => ((SqliteJobStore)store).RetentionTask;

    /// <summary>The temporary database and its stores.</summary>
    private sealed class Stores : StoreTests
    {
        public Task<SqliteJobStore> Open(Action<SqliteJobStoreOptions> configure) => OpenStore(configure);
    }
}
