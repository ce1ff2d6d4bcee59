using ChronoFlow.Testing;
using Microsoft.Data.Sqlite;

namespace ChronoFlow.Sqlite.Tests;

/// <summary>A temporary directory with helpers to open stores on a database file in it and to look at the file directly.</summary>
public abstract class StoreTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<SqliteJobStore> _stores = [];

    protected StoreTests()
    {
        Directory = new TempDirectory();
        DbPath = Directory.File("chronoflow.db");
    }

    protected TempDirectory Directory { get; }

    protected string DbPath { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        SqliteConnection.ClearAllPools();
        Directory.Dispose();
    }

    /// <summary>A store over <see cref="DbPath"/>, not opened, disposed with the test.</summary>
    protected SqliteJobStore NewStore(Action<SqliteJobStoreOptions>? configure = null)
    {
        var options = new SqliteJobStoreOptions { Path = DbPath, RetentionInterval = Timeout.InfiniteTimeSpan };
        configure?.Invoke(options);
        var store = new SqliteJobStore(options);
        _stores.Add(store);
        return store;
    }

    protected async Task<SqliteJobStore> OpenStore(Action<SqliteJobStoreOptions>? configure = null)
    {
        var store = NewStore(configure);
        await store.OpenAsync("node-a", CancellationToken.None);
        return store;
    }

    /// <summary>Runs a query on a connection of the test's own, as another program looking at the file would.</summary>
    protected object? Scalar(string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DbPath, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    protected long Count(string sql) => (long)Scalar(sql)!;

    protected static async Task<RunRecord> Single(IJobStore store, string jobId) =>
        Assert.Single(await store.GetRunsAsync(jobId, new RunQuery(1000), CancellationToken.None));
}
