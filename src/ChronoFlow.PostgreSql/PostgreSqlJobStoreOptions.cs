using System.Text.RegularExpressions;

namespace ChronoFlow;

/// <summary>
/// Which PostgreSQL database and schema a <see cref="PostgreSqlJobStore"/> uses, and how much run history it keeps.
/// </summary>
/// <remarks>
/// Retention deletes history rows that are older than <see cref="HistoryMaxAge"/> or beyond the newest
/// <see cref="HistoryMaxRunsPerJob"/> of their job. It runs at most once per <see cref="RetentionInterval"/>, after a
/// write, on a background task that deletes in chunks of a few hundred rows, each in its own short transaction that
/// skips rows another node is deleting, so it never holds locks long and never makes a claim wait. A running run is
/// never deleted. Job states are never deleted.
/// </remarks>
public sealed partial class PostgreSqlJobStoreOptions
{
    /// <summary>Gets or sets the Npgsql connection string: host, port, database, user and password. Required.</summary>
    /// <value>A connection string such as <c>Host=db;Database=app;Username=app;Password=...</c>; empty by default, which is an error.</value>
    /// <remarks>The password never appears in the store's messages; they name the host, port, database and schema only.</remarks>
    public string ConnectionString { get; set; } = "";

    /// <summary>Gets or sets the schema that holds the store's tables; created, with its tables, on first use.</summary>
    /// <value>The default is <c>chronoflow</c>. Lowercase letters, digits and underscores, starting with a letter or underscore, at most 63 characters.</value>
    public string Schema { get; set; } = "chronoflow";

    /// <summary>Gets or sets how long run history is kept, counted from each row's scheduled time.</summary>
    /// <value>The default is 30 days. <see cref="Timeout.InfiniteTimeSpan"/> keeps history of any age.</value>
    public TimeSpan HistoryMaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Gets or sets how many history rows are kept per job, the newest.</summary>
    /// <value>The default is 1,000. 0 keeps any number.</value>
    public int HistoryMaxRunsPerJob { get; set; } = 1_000;

    /// <summary>Gets or sets how often retention runs, on each node.</summary>
    /// <value>The default is 5 minutes. <see cref="Timeout.InfiniteTimeSpan"/> turns automatic retention off.</value>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets whether the store runs behind a pooler in transaction mode (PgBouncer's <c>pool_mode =
    /// transaction</c>), which gives each transaction whatever server connection is free, so nothing may rely on a
    /// session: the store then neither listens for other nodes' changes (<c>LISTEN</c>/<c>NOTIFY</c>; every node still
    /// syncs on its maintenance tick, a third of the lease) nor prepares its statements on the server.
    /// </summary>
    /// <value>The default is <see langword="false"/>: a direct connection, with notifications and prepared statements.</value>
    public bool TransactionPooling { get; set; }

    /// <summary>
    /// Gets or sets how many batches a scheduler writes at once, each on its own connection for its own share of the
    /// jobs (<see cref="IJobStore.WriteConcurrency"/>): while one transaction commits, the next is already running on
    /// another of the server's cores. Every node holds up to this many connections while it writes.
    /// </summary>
    /// <value>The default is 2. From 1 (one writer, one batch in flight) to 8.</value>
    public int WriteConcurrency { get; set; } = 2;

    /// <summary>
    /// Gets or sets whether leases run on the database server's clock (the default, and what production wants), or on
    /// the clock of the process as the scheduler reports it (<see cref="StoreBatch.LeaseUntil"/> and the
    /// <c>now</c> of <see cref="IJobStore.AbandonExpiredAsync"/>). Only tests that drive the scheduler on a fake
    /// clock turn it off.
    /// </summary>
    internal bool UseDatabaseClock { get; set; } = true;

    /// <summary>Lists every problem of these options.</summary>
    internal List<string> GetErrors()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            errors.Add($"{nameof(PostgreSqlJobStoreOptions)}.{nameof(ConnectionString)} must name the database; it is empty.");
        }

        if (Schema is null || !SchemaName().IsMatch(Schema))
        {
            errors.Add(
                $"{nameof(PostgreSqlJobStoreOptions)}.{nameof(Schema)} must be lowercase letters, digits and underscores, starting with a letter or an underscore, "
                + $"at most 63 characters, not '{Schema}'.");
        }

        if (HistoryMaxAge <= TimeSpan.Zero && HistoryMaxAge != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{nameof(PostgreSqlJobStoreOptions)}.{nameof(HistoryMaxAge)} must be positive or infinite, not {HistoryMaxAge}.");
        }

        if (HistoryMaxRunsPerJob < 0)
        {
            errors.Add($"{nameof(PostgreSqlJobStoreOptions)}.{nameof(HistoryMaxRunsPerJob)} must be 0 (no limit) or more, not {HistoryMaxRunsPerJob}.");
        }

        if (WriteConcurrency is < 1 or > 8)
        {
            errors.Add($"{nameof(PostgreSqlJobStoreOptions)}.{nameof(WriteConcurrency)} must be from 1 to 8, not {WriteConcurrency}.");
        }

        if (RetentionInterval <= TimeSpan.Zero && RetentionInterval != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{nameof(PostgreSqlJobStoreOptions)}.{nameof(RetentionInterval)} must be positive or infinite, not {RetentionInterval}.");
        }

        return errors;
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
