namespace ChronoFlow.PostgreSql.Tests;

/// <summary>All the PostgreSQL tests share one server, and run one class at a time.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
