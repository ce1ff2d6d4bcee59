using ChronoFlow.Testing;
using Npgsql;

namespace ChronoFlow.PostgreSql.Tests;

/// <summary>
/// Each test gets a schema of its own on the shared server, with helpers to open stores on it and to look at its tables
/// directly, as a DBA would.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Integration")]
public abstract class StoreTests(PostgresServer server) : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<PostgreSqlJobStore> _stores = [];

    protected PostgresServer Server { get; } = server;

    protected string Schema { get; } = server.NewSchema();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        if (Server.External)
        {
            await Server.ScalarAsync($"DROP SCHEMA IF EXISTS \"{Schema}\" CASCADE");
        }
    }

    /// <summary>A store on the test's schema, not opened, disposed with the test.</summary>
    protected PostgreSqlJobStore NewStore(Action<PostgreSqlJobStoreOptions>? configure = null)
    {
        var options = new PostgreSqlJobStoreOptions { ConnectionString = Server.ConnectionString, Schema = Schema, RetentionInterval = Timeout.InfiniteTimeSpan };
        configure?.Invoke(options);
        var store = new PostgreSqlJobStore(options);
        _stores.Add(store);
        return store;
    }

    protected async Task<PostgreSqlJobStore> OpenStore(Action<PostgreSqlJobStoreOptions>? configure = null)
    {
        var store = NewStore(configure);
        await store.OpenAsync("node-a", CancellationToken.None);
        return store;
    }

    /// <summary>Runs a query on a connection of the test's own; <c>{s}</c> stands for the test's schema.</summary>
    protected Task<object?> Scalar(string sql) => Server.ScalarAsync(sql.Replace("{s}", $"\"{Schema}\"", StringComparison.Ordinal));

    protected async Task<long> Count(string sql) => Convert.ToInt64(await Scalar(sql), System.Globalization.CultureInfo.InvariantCulture);

    protected static async Task<RunRecord> Single(IJobStore store, string jobId) =>
        Assert.Single(await store.GetRunsAsync(jobId, new RunQuery(1000), CancellationToken.None));

    protected NpgsqlConnectionStringBuilder ConnectionStringBuilder() => new(Server.ConnectionString);
}
