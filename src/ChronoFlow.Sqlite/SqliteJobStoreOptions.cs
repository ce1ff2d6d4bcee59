namespace ChronoFlow;

/// <summary>
/// Where a <see cref="SqliteJobStore"/> keeps its database, and how much run history it keeps.
/// </summary>
/// <remarks>
/// Retention deletes history rows that are older than <see cref="HistoryMaxAge"/> or beyond the newest
/// <see cref="HistoryMaxRunsPerJob"/> of their job. It runs at most once per <see cref="RetentionInterval"/>, after a
/// write, on a background task that deletes in small chunks, each in its own short transaction, so that it never holds
/// the write lock long. A running run is never deleted. Job states are never deleted.
/// </remarks>
public sealed class SqliteJobStoreOptions
{
    /// <summary>Gets or sets the database file. Its directory is created when missing. Required.</summary>
    /// <value>A file path, absolute or relative to the current directory; empty by default, which is an error.</value>
    public string Path { get; set; } = "";

    /// <summary>Gets or sets how long run history is kept, counted from each row's scheduled time.</summary>
    /// <value>The default is 30 days. <see cref="Timeout.InfiniteTimeSpan"/> keeps history of any age.</value>
    public TimeSpan HistoryMaxAge { get; set; } = TimeSpan.FromDays(30);

    /// <summary>Gets or sets how many history rows are kept per job, the newest.</summary>
    /// <value>The default is 1,000. 0 keeps any number.</value>
    public int HistoryMaxRunsPerJob { get; set; } = 1_000;

    /// <summary>Gets or sets how often retention runs.</summary>
    /// <value>The default is 5 minutes. <see cref="Timeout.InfiniteTimeSpan"/> turns automatic retention off.</value>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets how long a write waits for another process that holds the database's write lock.</summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Lists every problem of these options.</summary>
    internal List<string> GetErrors()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Path))
        {
            errors.Add($"{nameof(SqliteJobStoreOptions)}.{nameof(Path)} must name the database file; it is empty.");
        }

        if (HistoryMaxAge <= TimeSpan.Zero && HistoryMaxAge != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{nameof(SqliteJobStoreOptions)}.{nameof(HistoryMaxAge)} must be positive or infinite, not {HistoryMaxAge}.");
        }

        if (HistoryMaxRunsPerJob < 0)
        {
            errors.Add($"{nameof(SqliteJobStoreOptions)}.{nameof(HistoryMaxRunsPerJob)} must be 0 (no limit) or more, not {HistoryMaxRunsPerJob}.");
        }

        if (RetentionInterval <= TimeSpan.Zero && RetentionInterval != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{nameof(SqliteJobStoreOptions)}.{nameof(RetentionInterval)} must be positive or infinite, not {RetentionInterval}.");
        }

        if (BusyTimeout < TimeSpan.Zero || BusyTimeout > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{nameof(SqliteJobStoreOptions)}.{nameof(BusyTimeout)} must be 0 to 10 minutes, not {BusyTimeout}.");
        }

        return errors;
    }
}
