using Xunit.Abstractions;

namespace ChronoFlow.PostgreSql.Tests;

[Collection(PostgresCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ServerTests(PostgresServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task Fixture_ServesARealPostgreSql_WithAClockOfItsOwn()
    {
        var version = (string)(await server.ScalarAsync("SELECT version()"))!;
        output.WriteLine($"{version}; {(server.External ? "from " + PostgresServer.EnvironmentVariable : "started by the fixture")} in {server.StartupTime.TotalSeconds:F1} s");

        Assert.StartsWith("PostgreSQL ", version, StringComparison.Ordinal);
        Assert.IsType<DateTime>(await server.ScalarAsync("SELECT now()"));
    }
}
