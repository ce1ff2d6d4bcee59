using ChronoFlow.Stores;
using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;

namespace ChronoFlow;

/// <summary>
/// The schema scripts shipped in the assembly (Schema/NNN_name.sql), and the migration that runs those a database has
/// not had yet. The scripts are the schema: nothing else creates tables, so the shipped files and a real database never
/// differ.
/// </summary>
internal static class SqliteSchema
{
    private const string ResourcePrefix = "ChronoFlow.Sqlite.Schema.";

    /// <summary>Gets the scripts in the order of their versions.</summary>
    internal static IReadOnlyList<SchemaScript> Scripts { get; } = SchemaScripts.Load(typeof(SqliteSchema).Assembly, ResourcePrefix);

    /// <summary>Gets the newest schema version this code knows.</summary>
    internal static int LatestVersion => Scripts[^1].Version;

    /// <summary>
    /// Brings the schema up to <see cref="LatestVersion"/> in one BEGIN IMMEDIATE transaction, which takes the write
    /// lock first, so two processes that open the file together migrate it once: the second waits, then sees the
    /// version the first wrote.
    /// </summary>
    /// <exception cref="JobStoreException">The file's schema is newer than this code, or the file belongs to something else.</exception>
    /// <exception cref="SqliteException">SQLite failed; the caller names the file.</exception>
    internal static void Migrate(SqliteConnection connection, string path, DateTimeOffset now)
    {
        Execute(connection, "BEGIN IMMEDIATE");
        try
        {
            var current = CurrentVersion(connection, path);
            if (current > LatestVersion)
            {
                throw new JobStoreException(
                    $"Could not open the job store '{path}': its schema is version {current.ToString(CultureInfo.InvariantCulture)}, newer than the "
                    + $"version {LatestVersion.ToString(CultureInfo.InvariantCulture)} this ChronoFlow.Sqlite knows. A newer ChronoFlow wrote it; upgrade this process, or give it another file.");
            }

            foreach (var script in Scripts)
            {
                if (script.Version <= current)
                {
                    continue;
                }

                Execute(connection, script.Sql);
                using var record = connection.CreateCommand();
                record.CommandText = "INSERT INTO schema_version (version, applied) VALUES ($version, $applied)";
                record.Parameters.AddWithValue("$version", script.Version);
                record.Parameters.AddWithValue("$applied", now.UtcTicks);
                record.ExecuteNonQuery();
            }

            Execute(connection, "COMMIT");
        }
        catch
        {
            Rollback(connection);
            throw;
        }
    }

    /// <summary>Rolls back the open transaction, if SQLite has not already done so.</summary>
    internal static void Rollback(SqliteConnection connection)
    {
        if (SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) != 0)
        {
            return;
        }

        try
        {
            Execute(connection, "ROLLBACK");
        }
        catch (SqliteException)
        {
            // The transaction is gone either way; the caller reports the first error, not this one.
        }
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static int CurrentVersion(SqliteConnection connection, string path)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name = 'schema_version' DESC, name LIMIT 1";
        var first = command.ExecuteScalar() as string;
        if (first is null)
        {
            return 0;
        }

        if (first != "schema_version")
        {
            throw new JobStoreException(
                $"Could not open the job store '{path}': the file is a SQLite database of something else (it has tables, such as '{first}', but no schema_version table of ChronoFlow's store). Give the store a file of its own.");
        }

        command.CommandText = "SELECT coalesce(max(version), 0) FROM schema_version";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }
}
