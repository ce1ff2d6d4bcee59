using ChronoFlow.Testing;
using Microsoft.Data.Sqlite;

namespace ChronoFlow.Sqlite.Tests;

/// <summary>
/// The store scenarios on a real SQLite file, on a fake clock: each "process" opens its own <see cref="SqliteJobStore"/>
/// on the same file, as a restarted or second process would.
/// </summary>
public sealed class SqliteStoreScenarioTests : StoreScenarios
{
    private readonly TempDirectory _directory = new();

    protected override IJobStore CreateStore() => new SqliteJobStore(_directory.File("chronoflow.db"));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
