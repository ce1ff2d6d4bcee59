using ChronoFlow.PostgreSql.Tests;

namespace ChronoFlow.IntegrationTests.Cluster;

/// <summary>The cluster tests share one private PostgreSQL and run one at a time: the chaos test stops the database.</summary>
[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterDatabase>
{
    public const string Name = "Cluster";
}

/// <summary>
/// A PostgreSQL server of the test process's own, even when CHRONOFLOW_TEST_POSTGRES names one (CI's is shared by the
/// other tests, and the chaos test stops and starts the database): started once for the cluster tests, each of which
/// takes a schema of its own, and stopped and deleted at the end.
/// </summary>
public sealed class ClusterDatabase : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException("The cluster database was not started.");

    public async Task InitializeAsync() => _server = await PostgresServer.StartPrivateAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
