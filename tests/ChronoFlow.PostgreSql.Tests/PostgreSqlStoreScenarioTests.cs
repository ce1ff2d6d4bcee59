using ChronoFlow.Testing;

namespace ChronoFlow.PostgreSql.Tests;

/// <summary>
/// The store scenarios on a real PostgreSQL, on a fake clock: each "process" opens its own
/// <see cref="PostgreSqlJobStore"/> on the same schema, as a restarted or second node would. The fake clock is in 2030
/// and frozen nodes are simulated by clocks that stand still, so these stores run their leases on the clock the
/// scheduler reports rather than the database's; <see cref="ClockTests"/> shows the database clock at work.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PostgreSqlStoreScenarioTests(PostgresServer server) : StoreScenarios
{
    private readonly string _schema = server.NewSchema();

    protected override IJobStore CreateStore() =>
        new PostgreSqlJobStore(new PostgreSqlJobStoreOptions { ConnectionString = server.ConnectionString, Schema = _schema, UseDatabaseClock = false });

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (server.External)
        {
            await server.ScalarAsync($"DROP SCHEMA IF EXISTS \"{_schema}\" CASCADE");
        }
    }
}
