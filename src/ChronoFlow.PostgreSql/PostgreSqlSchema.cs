using ChronoFlow.Stores;
using System.Globalization;
using Npgsql;

namespace ChronoFlow;

/// <summary>
/// The schema scripts shipped in the assembly (Schema/NNN_name.sql), and the migration that runs those a schema has not
/// had yet. The scripts are the schema: nothing else creates tables, so the shipped files and a real database never
/// differ. Each script names its schema <c>"chronoflow"</c>; the store replaces that with the configured schema.
/// </summary>
internal static class PostgreSqlSchema
{
    /// <summary>The schema name as the scripts spell it, replaced by the configured one.</summary>
    internal const string Placeholder = "\"chronoflow\"";

    private const string ResourcePrefix = "ChronoFlow.PostgreSql.Schema.";

    // The first key of pg_advisory_xact_lock(int, int) for ChronoFlow's migrations ("CFPG"); the second is the schema's hash.
    private const int LockClass = 0x43465047;

    /// <summary>Gets the scripts in the order of their versions.</summary>
    internal static IReadOnlyList<SchemaScript> Scripts { get; } = SchemaScripts.Load(typeof(PostgreSqlSchema).Assembly, ResourcePrefix);

    /// <summary>Gets the newest schema version this code knows.</summary>
    internal static int LatestVersion => Scripts[^1].Version;

    /// <summary>Gets a script's text for a schema.</summary>
    internal static string ForSchema(string sql, string schema) => sql.Replace(Placeholder, Quote(schema), StringComparison.Ordinal);

    /// <summary>Quotes a schema name that <see cref="PostgreSqlJobStoreOptions"/> checked (lowercase letters, digits, underscores).</summary>
    internal static string Quote(string schema) => "\"" + schema + "\"";

    /// <summary>
    /// Brings the schema up to <see cref="LatestVersion"/> in one transaction that first takes a transaction-scoped
    /// advisory lock for the schema, so nodes that open a new schema together migrate it once: the others wait for the
    /// lock, then see the version the first committed. The lock ends with the transaction, so nothing is left held.
    /// </summary>
    /// <exception cref="JobStoreException">The schema is newer than this code, or holds tables of something else.</exception>
    /// <exception cref="NpgsqlException">PostgreSQL failed; the caller names the database.</exception>
    internal static async Task MigrateAsync(NpgsqlConnection connection, string schema, string store, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1, hashtext($2))", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = LockClass });
            command.Parameters.Add(new NpgsqlParameter { Value = schema });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        var current = await CurrentVersionAsync(connection, transaction, schema, store, cancellationToken).ConfigureAwait(false);
        if (current > LatestVersion)
        {
            throw new JobStoreException(
                $"Could not open the job store {store}: its schema is version {current.ToString(CultureInfo.InvariantCulture)}, newer than the version "
                + $"{LatestVersion.ToString(CultureInfo.InvariantCulture)} this ChronoFlow.PostgreSql knows. A newer ChronoFlow wrote it; upgrade this node, or give it another schema.");
        }

        if (current == LatestVersion)
        {
            // Nothing to do: end the transaction (and the lock) without writing anything.
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (current == 0)
        {
            // A schema that a DBA created beforehand is used as it is: creating it needs CREATE on the database.
            await using var exists = new NpgsqlCommand("SELECT count(*) FROM pg_namespace WHERE nspname = $1", connection, transaction);
            exists.Parameters.Add(new NpgsqlParameter { Value = schema });
            if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
            {
                await ExecuteAsync(connection, transaction, $"CREATE SCHEMA {Quote(schema)}", cancellationToken).ConfigureAwait(false);
            }
        }

        foreach (var script in Scripts)
        {
            if (script.Version <= current)
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, ForSchema(script.Sql, schema), cancellationToken).ConfigureAwait(false);
            await using var record = new NpgsqlCommand($"INSERT INTO {Quote(schema)}.schema_version (version) VALUES ($1)", connection, transaction);
            record.Parameters.Add(new NpgsqlParameter { Value = script.Version });
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> CurrentVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string schema, string store, CancellationToken cancellationToken)
    {
        // The tables of the schema, schema_version first: none (a new schema), ours, or someone else's.
        await using var command = new NpgsqlCommand(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            + "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname <> 'schema_version', c.relname LIMIT 1",
            connection,
            transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = schema });
        var first = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
        if (first is null)
        {
            return 0;
        }

        if (first != "schema_version")
        {
            throw new JobStoreException(
                $"Could not open the job store {store}: the schema holds tables of something else (such as '{first}') and no schema_version table of "
                + "ChronoFlow's store. Give the store a schema of its own (PostgreSqlJobStoreOptions.Schema).");
        }

        await using var version = new NpgsqlCommand($"SELECT coalesce(max(version), 0) FROM {Quote(schema)}.schema_version", connection, transaction);
        return Convert.ToInt32(await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }
}
