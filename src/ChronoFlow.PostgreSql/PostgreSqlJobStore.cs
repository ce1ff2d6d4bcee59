using System.Globalization;
using System.Net.Sockets;
using Npgsql;

namespace ChronoFlow;

/// <summary>
/// Keeps job state, the claims of occurrences and run history in a PostgreSQL schema, so that they outlive the process
/// and can be shared by any number of nodes: each scheduled occurrence starts once among all of them.
/// </summary>
/// <remarks>
/// <para>
/// A scheduled occurrence is claimed by inserting its row under a unique index on the job id and the scheduled time
/// (<c>INSERT ... ON CONFLICT DO NOTHING RETURNING id</c>): the node whose insert commits first wins, the others get 0.
/// No lock is taken across the cluster for this. Each <see cref="WriteAsync"/> sends the whole batch (claims, finished
/// runs, lease renewals, job states) as one <see cref="NpgsqlBatch"/>: one round trip, one implicit transaction, one
/// commit. Rows are touched in a fixed order (claims by job id and time, runs by id, jobs by id), so two nodes' batches
/// never deadlock.
/// </para>
/// <para>
/// Leases run on the database server's clock: a claim or a renewal sets <c>lease_until = now() + </c>
/// <see cref="StoreBatch.LeaseDuration"/>, and <see cref="AbandonExpiredAsync"/> compares with <c>now()</c>, so a node
/// whose clock is minutes off neither loses its runs early nor keeps a dead node's runs. The times the scheduler
/// reports (scheduled, started, ended) are its own and are stored as given, as UTC ticks.
/// </para>
/// <para>
/// The schema is created or migrated on first use, in one transaction under <c>pg_advisory_xact_lock</c>, from the SQL
/// scripts embedded in the assembly. Old history is deleted after writes, in the background, as
/// <see cref="PostgreSqlJobStoreOptions"/> says.
/// </para>
/// </remarks>
/// <threadsafety>
/// As <see cref="IJobStore"/> requires, and more: every call takes a pooled connection of its own, so any member may be
/// called from any thread, concurrently.
/// </threadsafety>
public sealed class PostgreSqlJobStore : IJobStore, IJobStoreChangeNotifier, IAsyncDisposable, IDisposable
{
    private const int PruneChunk = 500;
    private const int AbandonChunk = 1000;
    private const string RunColumns = "id, job_id, scheduled, manual, node, started, ended, outcome, skipped, count, attempt, error, output";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _store;
    private readonly bool _databaseClock;
    private readonly TimeSpan _maxAge;
    private readonly int _maxRunsPerJob;
    private readonly TimeSpan _retentionInterval;
    private readonly CancellationTokenSource _disposing = new();
    private readonly Sql _sql;
    private long _nextPruneTicks;
    private Task _pruneTask = Task.CompletedTask;
    private readonly bool _notifications;
    private readonly string _channel;
    private readonly List<Action> _subscribers = [];
    private Task? _listener;
    private volatile bool _opened;
    private volatile bool _disposed;

    /// <summary>Creates a store in the schema <c>chronoflow</c> of a database, with the default retention.</summary>
    /// <param name="connectionString">The Npgsql connection string.</param>
    /// <exception cref="ArgumentException"><paramref name="connectionString"/> is empty or malformed.</exception>
    public PostgreSqlJobStore(string connectionString)
        : this(new PostgreSqlJobStoreOptions { ConnectionString = connectionString })
    {
    }

    /// <summary>Creates a store. Nothing is opened until <see cref="OpenAsync"/>.</summary>
    /// <param name="options">The database, the schema and the retention.</param>
    /// <exception cref="ArgumentException">An option is out of range or the connection string is malformed; the message lists each problem.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public PostgreSqlJobStore(PostgreSqlJobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.GetErrors();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        NpgsqlSlimDataSourceBuilder builder;
        try
        {
            builder = new NpgsqlSlimDataSourceBuilder(options.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            // The message names the bad key; the connection string itself, with its password, is not repeated.
            throw new ArgumentException($"{nameof(PostgreSqlJobStoreOptions)}.{nameof(PostgreSqlJobStoreOptions.ConnectionString)} is malformed: {ex.Message}", nameof(options), ex);
        }

        var cs = builder.ConnectionStringBuilder;
        if (cs.MaxAutoPrepare == 0 && !options.TransactionPooling)
        {
            // The batch statements are the same every time: let Npgsql prepare them once per connection.
            cs.MaxAutoPrepare = 32;
        }

        if (string.IsNullOrEmpty(cs.ApplicationName))
        {
            cs.ApplicationName = "ChronoFlow";
        }

        builder.EnableArrays();
        Schema = options.Schema;
        _store = $"'{cs.Host}:{(cs.Port == 0 ? NpgsqlConnection.DefaultPort : cs.Port).ToString(CultureInfo.InvariantCulture)}/{cs.Database ?? cs.Username ?? ""}' (schema '{Schema}')";
        _dataSource = builder.Build();
        _databaseClock = options.UseDatabaseClock;
        _notifications = !options.TransactionPooling;

        // A channel name is an identifier: at most 63 bytes. Schemas whose names share their first 52 characters
        // share a channel, which costs a needless sync now and then, nothing more.
        _channel = "chronoflow_" + Schema;
        _channel = _channel[..Math.Min(_channel.Length, 63)];
        _maxAge = options.HistoryMaxAge;
        _maxRunsPerJob = options.HistoryMaxRunsPerJob;
        _retentionInterval = options.RetentionInterval;
        WriteConcurrency = options.WriteConcurrency;
        _sql = new Sql(PostgreSqlSchema.Quote(Schema), _databaseClock);
    }

    /// <inheritdoc/>
    /// <remarks>From <see cref="PostgreSqlJobStoreOptions.WriteConcurrency"/>; 2 by default.</remarks>
    public int WriteConcurrency { get; }

    /// <summary>Gets the schema that holds the store's tables.</summary>
    public string Schema { get; }

    /// <summary>Names the store as its errors do: host, port, database and schema, never the password.</summary>
    /// <returns>The name.</returns>
    public override string ToString() => _store;

    /// <summary>Gets how the store names itself in messages: host, port, database and schema, never the password.</summary>
    internal string StoreName => _store;

    /// <summary>Gets the retention that a write started last, or a completed task; tests await it.</summary>
    internal Task RetentionTask => _pruneTask;

    /// <inheritdoc/>
    /// <remarks>
    /// Creates the schema and its tables when missing, or migrates them, in one transaction under a transaction-scoped
    /// advisory lock, so nodes that start together create it once and none sees half of it. A schema newer than this
    /// code knows, or one that holds tables of something else, is refused.
    /// </remarks>
    public async ValueTask<IReadOnlyList<JobState>> OpenAsync(string node, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await PostgreSqlSchema.MigrateAsync(connection, Schema, _store, cancellationToken).ConfigureAwait(false);
            var states = await ReadStatesAsync(connection, cancellationToken).ConfigureAwait(false);
            _opened = true;
            return states;
        }
        catch (Exception ex) when (IsDriverError(ex, cancellationToken))
        {
            throw new JobStoreException($"Could not open the job store {_store}: {Describe(ex)}", ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The batch goes to the server as one <see cref="NpgsqlBatch"/> in one round trip and is committed once; when any
    /// statement fails, the server rolls back all of it. New leases and renewals end at the database's
    /// <c>now()</c> plus <see cref="StoreBatch.LeaseDuration"/>.
    /// </remarks>
    public async ValueTask<StoreWriteResult> WriteAsync(StoreBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        EnsureOpen();
        if (batch.IsEmpty)
        {
            return new StoreWriteResult([], []);
        }

        StoreWriteResult result;
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            result = await WriteBatchAsync(connection, batch, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsDriverError(ex, cancellationToken))
        {
            throw new JobStoreException($"Could not write to the job store {_store}, and nothing of the batch was applied: {Describe(ex)}", ex);
        }

        SchedulePrune(batch.Now);
        return result;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Which leases ended is decided by the database's clock, not by <paramref name="now"/>; <paramref name="now"/> is
    /// recorded as the abandoned runs' end, like every other time in history, which is the nodes' own. The sweep locks
    /// the rows it takes with <c>FOR UPDATE SKIP LOCKED</c>, so nodes sweeping together neither wait for each other nor
    /// take the same row: each abandoned run is returned to one node only. An abandoned run keeps its row, with the
    /// error naming the node that stopped renewing its lease, and its occurrence: a later claim of the same occurrence
    /// loses, and only the node it was returned to runs it again, with a <see cref="RunClaim.Recovery"/> claim.
    /// </remarks>
    public async ValueTask<IReadOnlyList<RunRecord>> AbandonExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureOpen();
        var abandoned = new List<RunRecord>();
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            int taken;
            do
            {
                await using var command = new NpgsqlCommand(_sql.Abandon, connection);
                command.Parameters.Add(new NpgsqlParameter { Value = now.UtcTicks });
                command.Parameters.Add(new NpgsqlParameter { Value = AbandonChunk });
                if (!_databaseClock)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = now.UtcDateTime });
                }

                var before = abandoned.Count;
                await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        abandoned.Add(ReadRun(reader));
                    }
                }

                taken = abandoned.Count - before;
            }
            while (taken == AbandonChunk);
        }
        catch (Exception ex) when (IsDriverError(ex, cancellationToken))
        {
            throw new JobStoreException($"Could not record the runs with expired leases as abandoned in the job store {_store}: {Describe(ex)}", ex);
        }

        return abandoned;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One round trip: the heartbeat, the changes and the database's clock (<c>clock_timestamp()</c>, which the scheduler
    /// then runs on) in one batch. With the internal option that runs leases on the nodes' clocks, no clock is returned.
    /// </remarks>
    public async ValueTask<StoreSync> SyncAsync(NodeHeartbeat heartbeat, long sinceVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        cancellationToken.ThrowIfCancellationRequested();
        EnsureOpen();
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var batch = new NpgsqlBatch(connection)
            {
                BatchCommands =
                {
                    new NpgsqlBatchCommand(_sql.Beat)
                    {
                        Parameters =
                        {
                            P(heartbeat.Owner), P(heartbeat.Node), P(heartbeat.Host), P(heartbeat.ProcessId), P(heartbeat.Version), P(heartbeat.Started.UtcTicks),
                            P(heartbeat.Interval.Ticks), P(heartbeat.Jobs), P(heartbeat.Running), P(heartbeat.Stopping),
                            P(heartbeat.JobSetHash), P(heartbeat.PeersHash), P(heartbeat.ClaimedFrom?.UtcTicks), P(heartbeat.ClaimedThrough?.UtcTicks),
                        },
                    },
                    new NpgsqlBatchCommand(_sql.Forget),
                    new NpgsqlBatchCommand(_sql.Changes) { Parameters = { P(sinceVersion) } },
                    new NpgsqlBatchCommand("SELECT clock_timestamp()"),
                },
            };
            if (!_databaseClock)
            {
                batch.BatchCommands[0].Parameters.Add(P(heartbeat.Now.UtcDateTime));
            }

            var changes = new List<JobControlChange>();
            DateTime clock;
            await using (var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    changes.Add(new JobControlChange(reader.GetString(0), reader.GetBoolean(1), reader.GetInt64(2))
                    {
                        Removed = reader.GetBoolean(4),
                        Definition = reader.IsDBNull(5) ? null : reader.GetString(5),
                    });
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                clock = reader.GetDateTime(0);
            }

            return new StoreSync(changes, _databaseClock ? new DateTimeOffset(clock, TimeSpan.Zero) : null);
        }
        catch (Exception ex) when (IsDriverError(ex, cancellationToken))
        {
            throw new JobStoreException($"Could not write this node's heartbeat to the job store {_store}: {Describe(ex)}", ex);
        }
    }

    /// <summary>
    /// Calls <paramref name="changed"/> whenever another node pauses or resumes a job, through PostgreSQL's
    /// <c>LISTEN</c>/<c>NOTIFY</c> on one connection that the store keeps for it, and after each (re)connection, since
    /// notifications sent meanwhile are lost. The connection is opened again with a back-off when it breaks. With
    /// <see cref="PostgreSqlJobStoreOptions.TransactionPooling"/> nothing is called: nodes sync on their tick.
    /// </summary>
    /// <param name="changed">What to call; it must return quickly and never throw.</param>
    /// <returns>The subscription.</returns>
    public IDisposable Subscribe(Action changed)
    {
        ArgumentNullException.ThrowIfNull(changed);
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_subscribers)
        {
            _subscribers.Add(changed);
            if (_notifications)
            {
                _listener ??= Task.Run(ListenAsync);
            }
        }

        return new Subscription(this, changed);
    }

    /// <inheritdoc/>
    public async ValueTask<NodeList> GetNodesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        EnsureOpen();
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(_sql.Nodes, connection);
            var nodes = new List<NodeInfo>();
            DateTimeOffset? now = null;
            await using (var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    nodes.Add(new NodeInfo
                    {
                        Owner = r.GetString(0),
                        Node = r.GetString(1),
                        Host = r.GetString(2),
                        ProcessId = r.GetInt32(3),
                        Version = r.GetString(4),
                        Started = ToTime(r.GetInt64(5)),
                        LastSeen = new DateTimeOffset(r.GetDateTime(6), TimeSpan.Zero),
                        Interval = TimeSpan.FromTicks(r.GetInt64(7)),
                        Jobs = r.GetInt32(8),
                        Running = r.GetInt32(9),
                        Stopped = r.GetBoolean(10),
                        JobSetHash = r.GetInt64(12),
                        PeersHash = r.GetInt64(13),
                        ClaimedFrom = ToTime(r, 14),
                        ClaimedThrough = ToTime(r, 15),
                    });
                    now ??= new DateTimeOffset(r.GetDateTime(11), TimeSpan.Zero);
                }
            }

            now ??= new DateTimeOffset((DateTime)(await ScalarAsync(connection, "SELECT clock_timestamp()", cancellationToken).ConfigureAwait(false))!, TimeSpan.Zero);
            return new NodeList(now.Value, nodes);
        }
        catch (Exception ex) when (IsDriverError(ex, cancellationToken))
        {
            throw new JobStoreException($"Could not read the node registry from the job store {_store}: {Describe(ex)}", ex);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<RunRecord>> GetRunsAsync(string jobId, RunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        cancellationToken.ThrowIfCancellationRequested();
        EnsureOpen();
        var limit = query.Limit <= 0 ? 50 : Math.Min(query.Limit, 1000);
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand(_sql.History, connection);
            command.Parameters.Add(new NpgsqlParameter { Value = jobId });
            command.Parameters.Add(new NpgsqlParameter { Value = query.BeforeId ?? long.MaxValue });
            command.Parameters.Add(new NpgsqlParameter { Value = limit });
            var runs = new List<RunRecord>(Math.Min(limit, 64));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                runs.Add(ReadRun(reader));
            }

            return runs;
        }
        catch (Exception ex) when (IsDriverError(ex, cancellationToken))
        {
            throw new JobStoreException($"Could not read the history of job '{jobId}' from the job store {_store}: {Describe(ex)}", ex);
        }
    }

    /// <summary>
    /// Deletes the run history that <see cref="PostgreSqlJobStoreOptions.HistoryMaxAge"/> and
    /// <see cref="PostgreSqlJobStoreOptions.HistoryMaxRunsPerJob"/> no longer keep, now. Writes do this by themselves
    /// every <see cref="PostgreSqlJobStoreOptions.RetentionInterval"/>; call this to prune at a time of your choosing.
    /// </summary>
    /// <remarks>
    /// It deletes in chunks of a few hundred rows, each its own short transaction that skips rows locked by someone
    /// else (<c>FOR UPDATE SKIP LOCKED</c>), so writes go on in between and two nodes pruning at once do not wait for
    /// each other. A running run is never deleted.
    /// </remarks>
    /// <param name="now">The clock that ages the history (the history's times are the nodes' own).</param>
    /// <param name="cancellationToken">Stops the pruning between chunks; what was deleted stays deleted.</param>
    /// <returns>How many rows this call deleted.</returns>
    /// <exception cref="JobStoreException">A delete failed.</exception>
    public async ValueTask<long> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        EnsureOpen();
        var deleted = 0L;
        try
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            if (_maxAge != Timeout.InfiniteTimeSpan)
            {
                var cutoff = now.UtcTicks - Math.Min(_maxAge.Ticks, now.UtcTicks);
                int chunk;
                do
                {
                    chunk = await ExecuteAsync(connection, _sql.PruneAge, cancellationToken, cutoff, PruneChunk).ConfigureAwait(false);
                    deleted += chunk;
                }
                while (chunk >= PruneChunk);
            }

            if (_maxRunsPerJob > 0)
            {
                var job = "";
                while (true)
                {
                    // The next job id after the last one: an index seek on runs_job, however many rows there are.
                    if (await ScalarAsync(connection, _sql.NextJob, cancellationToken, job).ConfigureAwait(false) is not string next)
                    {
                        break;
                    }

                    job = next;
                    if (await ScalarAsync(connection, _sql.Boundary, cancellationToken, job, _maxRunsPerJob).ConfigureAwait(false) is not long boundary)
                    {
                        continue;
                    }

                    int chunk;
                    do
                    {
                        chunk = await ExecuteAsync(connection, _sql.PruneJob, cancellationToken, job, boundary, PruneChunk).ConfigureAwait(false);
                        deleted += chunk;
                    }
                    while (chunk >= PruneChunk);
                }
            }
        }
        catch (Exception ex) when (IsDriverError(ex, cancellationToken))
        {
            throw new JobStoreException($"Could not delete old run history from the job store {_store}: {Describe(ex)}", ex);
        }

        return deleted;
    }

    /// <summary>Stops retention and closes the store's connections.</summary>
    /// <returns>A task that completes when the store is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _disposing.CancelAsync().ConfigureAwait(false);
        if (_listener is { } listener)
        {
            await listener.ConfigureAwait(false);
        }

        try
        {
            await _pruneTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _disposing.Dispose();
    }

    /// <summary>Stops retention and closes the store's connections.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Holds the connection that listens for other nodes' changes, opening it again when it breaks.</summary>
    private async Task ListenAsync()
    {
        var token = _disposing.Token;
        var backoff = TimeSpan.FromSeconds(1);
        while (!token.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(token).ConfigureAwait(false);
                connection.Notification += (_, _) => NotifySubscribers();
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgreSqlSchema.Quote(_channel)}", connection))
                {
                    await listen.ExecuteNonQueryAsync(token).ConfigureAwait(false);
                }

                // Whatever was sent while no connection listened is lost: a sync now catches up with it.
                backoff = TimeSpan.FromSeconds(1);
                NotifySubscribers();
                while (true)
                {
                    await connection.WaitAsync(token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or IOException or TimeoutException or InvalidOperationException)
            {
                // The database is away; the scheduler's own writes say so. Listen again once it is back.
                try
                {
                    await Task.Delay(backoff, token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            }
        }
    }

    private void NotifySubscribers()
    {
        Action[] subscribers;
        lock (_subscribers)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var changed in subscribers)
        {
            changed();
        }
    }

    /// <summary>Says in words what a driver's error means for the store, followed by the server's or the driver's own message.</summary>
    internal static string Describe(Exception ex)
    {
        switch (ex)
        {
            case PostgresException pg:
                var meaning = pg.SqlState switch
                {
                    "28P01" or "28000" => "the server refused the user name or the password",
                    "3D000" => "the database does not exist",
                    "42501" => "permission denied: the user lacks a privilege the store needs (USAGE and CREATE on the schema, or CREATE on the database to create the schema)",
                    "53300" => "the server has too many connections",
                    "57P03" => "the server is starting up or shutting down",
                    "40P01" => "a deadlock with another transaction",
                    "57014" => "the statement was cancelled",
                    _ when pg.SqlState.StartsWith("23", StringComparison.Ordinal) => "a row broke a constraint of the schema",
                    _ when pg.SqlState.StartsWith("08", StringComparison.Ordinal) => "the connection failed",
                    _ => "PostgreSQL failed",
                };
                return $"{meaning} (PostgreSQL {pg.SqlState}: {pg.MessageText})";
            case NpgsqlException { InnerException: SocketException socket }:
                return $"the server cannot be reached ({socket.Message})";
            case NpgsqlException { InnerException: TimeoutException timeout }:
                return $"the server did not answer in time ({timeout.Message})";
            case NpgsqlException npgsql when npgsql.InnerException is IOException or EndOfStreamException:
                return $"the connection to the server broke ({npgsql.InnerException.Message})";
            case SocketException socket:
                return $"the server cannot be reached ({socket.Message})";
            default:
                return ex.Message;
        }
    }

    private static bool IsDriverError(Exception ex, CancellationToken cancellationToken) =>
        ex is NpgsqlException or SocketException or TimeoutException || (ex is InvalidOperationException && ex is not ObjectDisposedException && !cancellationToken.IsCancellationRequested && ex.Source == "Npgsql");

    private static DateTimeOffset ToTime(long ticks) => new(ticks, TimeSpan.Zero);

    private static DateTimeOffset? ToTime(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ToTime(reader.GetInt64(ordinal));

    private static object Db(DateTimeOffset? time) => time is { } t ? t.UtcTicks : DBNull.Value;

    private static object Db(string? text) => (object?)text ?? DBNull.Value;


    private static NpgsqlParameter P(object? value) => new() { Value = value ?? DBNull.Value };

    private static RunRecord ReadRun(NpgsqlDataReader r) => new()
    {
        Id = r.GetInt64(0),
        JobId = r.GetString(1),
        ScheduledTime = ToTime(r.GetInt64(2)),
        Manual = r.GetBoolean(3),
        Node = r.GetString(4),
        StartedTime = ToTime(r, 5),
        EndedTime = ToTime(r, 6),
        Outcome = r.IsDBNull(7) ? null : (JobOutcome)r.GetInt32(7),
        Skipped = (SkipReason)r.GetInt32(8),
        Count = r.GetInt64(9),
        Attempt = r.GetInt32(10),
        Error = r.IsDBNull(11) ? null : r.GetString(11),
        Output = r.IsDBNull(12) ? null : r.GetString(12),
    };

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(P(p));
        }

        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params object[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(P(p));
        }

        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<JobState>> ReadStatesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_sql.States, connection);
        await using var r = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var states = new List<JobState>();
        while (await r.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            states.Add(new JobState
            {
                JobId = r.GetString(0),
                Schedule = r.GetString(1),
                NextOccurrence = ToTime(r, 2),
                Paused = r.GetBoolean(3),
                RunCount = r.GetInt64(4),
                SuccessCount = r.GetInt64(5),
                FailureCount = r.GetInt64(6),
                TimeoutCount = r.GetInt64(7),
                RetryCount = r.GetInt64(8),
                SkipCount = r.GetInt64(9),
                MisfireCount = r.GetInt64(10),
                RejectedCount = r.GetInt64(11),
                CoalescedCount = r.GetInt64(12),
                AbandonedCount = r.GetInt64(13),
                LastRun = ToTime(r, 14),
                LastScheduledTime = ToTime(r, 15),
                LastDuration = r.IsDBNull(16) ? null : TimeSpan.FromTicks(r.GetInt64(16)),
                LastOutcome = r.IsDBNull(17) ? null : (JobOutcome)r.GetInt32(17),
                LastError = r.IsDBNull(18) ? null : r.GetString(18),
            });
        }

        return states;
    }

    private async Task<StoreWriteResult> WriteBatchAsync(NpgsqlConnection connection, StoreBatch batch, CancellationToken cancellationToken)
    {
        // No explicit transaction: the statements of one NpgsqlBatch go out together and end in one Sync, which
        // PostgreSQL runs as one implicit transaction, committed once at the end or rolled back whole on any error.
        // Each kind of row is one statement over arrays (unnest), whatever the batch's size: a thousand claims cost one
        // statement to plan and execute, not a thousand.
        await using var sql = new NpgsqlBatch(connection);
        object lease = _databaseClock ? batch.LeaseDuration : batch.LeaseUntil.UtcDateTime;

        // Scheduled claims in one statement, and triggered and recovery ones (rare; they take no slot, so they never
        // conflict) one by one, because only a statement of its own can tell which id is whose.
        var scheduled = new List<int>(batch.Claims.Count);
        var manual = new List<int>();
        for (var i = 0; i < batch.Claims.Count; i++)
        {
            (batch.Claims[i].Manual || batch.Claims[i].Recovery ? manual : scheduled).Add(i);
        }

        if (scheduled.Count > 0)
        {
            var jobIds = new string[scheduled.Count];
            var times = new long[scheduled.Count];
            var started = new long[scheduled.Count];
            for (var k = 0; k < scheduled.Count; k++)
            {
                var claim = batch.Claims[scheduled[k]];
                (jobIds[k], times[k], started[k]) = (claim.JobId, claim.ScheduledTime.UtcTicks, claim.StartedTime.UtcTicks);
            }

            sql.BatchCommands.Add(new NpgsqlBatchCommand(_sql.Claim) { Parameters = { P(jobIds), P(times), P(started), P(batch.Node), P(batch.Owner), P(lease) } });
        }

        foreach (var i in manual)
        {
            var claim = batch.Claims[i];
            sql.BatchCommands.Add(new NpgsqlBatchCommand(_sql.ClaimTriggered)
            {
                Parameters = { P(claim.JobId), P(claim.ScheduledTime.UtcTicks), P(claim.Manual), P(batch.Node), P(batch.Owner), P(claim.StartedTime.UtcTicks), P(lease) },
            });
        }

        var renewals = batch.Renewals.Distinct().Order().ToArray();
        if (renewals.Length > 0)
        {
            sql.BatchCommands.Add(new NpgsqlBatchCommand(_sql.Renew) { Parameters = { P(renewals), P(batch.Owner), P(lease) } });
        }

        // A run finished twice in one batch keeps its last record, as it would have written in turn.
        var finishes = new Dictionary<long, RunRecord>();
        var inserts = new List<RunRecord>();
        foreach (var record in batch.Records)
        {
            if (record.Id != 0)
            {
                finishes[record.Id] = record;
            }
            else
            {
                inserts.Add(record);
            }
        }

        if (finishes.Count > 0)
        {
            var rows = finishes.Values.OrderBy(r => r.Id).ToArray();
            sql.BatchCommands.Add(new NpgsqlBatchCommand(_sql.Finish)
            {
                Parameters =
                {
                    P(Column(rows, r => r.Id)), P(batch.Owner), P(Column(rows, r => r.StartedTime?.UtcTicks)), P(Column(rows, r => r.EndedTime?.UtcTicks)),
                    P(Column(rows, r => (int?)r.Outcome)), P(Column(rows, r => (int)r.Skipped)), P(Column(rows, r => r.Count)), P(Column(rows, r => r.Attempt)),
                    P(Column(rows, r => RunRecord.Head(r.Error, RunRecord.MaxErrorLength))), P(Column(rows, r => RunRecord.Tail(r.Output, RunRecord.MaxOutputLength))),
                },
            });
        }

        if (inserts.Count > 0)
        {
            sql.BatchCommands.Add(new NpgsqlBatchCommand(_sql.Insert)
            {
                Parameters =
                {
                    P(Column(inserts, r => r.JobId)), P(Column(inserts, r => r.ScheduledTime.UtcTicks)), P(Column(inserts, r => r.Manual)), P(Column(inserts, r => r.Node ?? "")),
                    P(Column(inserts, r => r.StartedTime?.UtcTicks)), P(Column(inserts, r => r.EndedTime?.UtcTicks)), P(Column(inserts, r => (int?)r.Outcome)),
                    P(Column(inserts, r => (int)r.Skipped)), P(Column(inserts, r => r.Count)), P(Column(inserts, r => r.Attempt)),
                    P(Column(inserts, r => RunRecord.Head(r.Error, RunRecord.MaxErrorLength))), P(Column(inserts, r => RunRecord.Tail(r.Output, RunRecord.MaxOutputLength))),
                },
            });
        }

        if (batch.States.Count > 0)
        {
            // One row per job, its last state in the batch: an upsert may not touch a row twice in one statement.
            var last = new Dictionary<string, JobState>(StringComparer.Ordinal);
            foreach (var state in batch.States)
            {
                last[state.JobId] = state;
            }

            var states = last.Values.ToArray();
            sql.BatchCommands.Add(new NpgsqlBatchCommand(_sql.Upsert)
            {
                Parameters =
                {
                    P(Column(states, s => s.JobId)), P(Column(states, s => s.Schedule)), P(Column(states, s => s.NextOccurrence?.UtcTicks)), P(Column(states, s => s.Paused)),
                    P(Column(states, s => s.RunCount)), P(Column(states, s => s.SuccessCount)), P(Column(states, s => s.FailureCount)), P(Column(states, s => s.TimeoutCount)),
                    P(Column(states, s => s.RetryCount)), P(Column(states, s => s.SkipCount)), P(Column(states, s => s.MisfireCount)), P(Column(states, s => s.RejectedCount)),
                    P(Column(states, s => s.CoalescedCount)), P(Column(states, s => s.AbandonedCount)), P(Column(states, s => s.LastRun?.UtcTicks)),
                    P(Column(states, s => s.LastScheduledTime?.UtcTicks)), P(Column(states, s => s.LastDuration?.Ticks)), P(Column(states, s => (int?)s.LastOutcome)),
                    P(Column(states, s => RunRecord.Head(s.LastError, RunRecord.MaxErrorLength))),
                },
            });
        }

        foreach (var control in batch.Controls)
        {
            sql.BatchCommands.Add(control.Kind == JobControlKind.Define
                ? new NpgsqlBatchCommand(_sql.Define) { Parameters = { P(control.JobId), P(control.Definition) } }
                : new NpgsqlBatchCommand(_sql.Control) { Parameters = { P(control.JobId), P(control.Paused), P(control.Kind == JobControlKind.Remove) } });
        }

        if (batch.Controls.Count != 0 && _notifications)
        {
            // Delivered when the batch commits, and only then.
            sql.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_notify($1, '')") { Parameters = { P(_channel) } });
        }

        var claimIds = batch.Claims.Count == 0 ? [] : new long[batch.Claims.Count];
        List<long>? fenced = null;
        await using (var reader = await sql.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            // Result sets in the order of the statements: the scheduled claims that won (job id and time, then id),
            // each triggered claim's id, the renewed ids, the finished ids.
            if (scheduled.Count > 0)
            {
                var won = new Dictionary<(string, long), long>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    won[(reader.GetString(0), reader.GetInt64(1))] = reader.GetInt64(2);
                }

                foreach (var i in scheduled)
                {
                    // A claim that a batch holds twice is won by its first copy only.
                    var claim = batch.Claims[i];
                    if (won.Remove((claim.JobId, claim.ScheduledTime.UtcTicks), out var id))
                    {
                        claimIds[i] = id;
                    }
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var i in manual)
            {
                claimIds[i] = await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? reader.GetInt64(0) : 0;
                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }

            if (renewals.Length > 0)
            {
                var renewed = await ReadIdsAsync(reader, cancellationToken).ConfigureAwait(false);
                foreach (var id in batch.Renewals)
                {
                    if (!renewed.Contains(id))
                    {
                        (fenced ??= []).Add(id);
                    }
                }

                await reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            }

            if (finishes.Count > 0)
            {
                // A finish that changed no row was refused: the run is no longer this process's to finish.
                var finished = await ReadIdsAsync(reader, cancellationToken).ConfigureAwait(false);
                foreach (var record in batch.Records)
                {
                    if (record.Id != 0 && !finished.Contains(record.Id))
                    {
                        (fenced ??= []).Add(record.Id);
                    }
                }
            }

            // Drain the rest, so that an error in any later statement surfaces here.
            while (await reader.NextResultAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }

        return new StoreWriteResult(claimIds, (IReadOnlyList<long>?)fenced ?? []);
    }

    private static async Task<HashSet<long>> ReadIdsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var ids = new HashSet<long>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>One column of a statement over arrays: the values of <paramref name="rows"/> in their order.</summary>
    private static TValue[] Column<TRow, TValue>(IReadOnlyList<TRow> rows, Func<TRow, TValue> value)
    {
        var column = new TValue[rows.Count];
        for (var i = 0; i < column.Length; i++)
        {
            column[i] = value(rows[i]);
        }

        return column;
    }

    /// <summary>Starts retention in the background when its interval has passed and none is running.</summary>
    private void SchedulePrune(DateTimeOffset now)
    {
        var next = Interlocked.Read(ref _nextPruneTicks);
        if (_retentionInterval == Timeout.InfiniteTimeSpan || !_pruneTask.IsCompleted || now.UtcTicks < next || _disposed)
        {
            return;
        }

        // Writers finish batches concurrently: only the one that moves the mark starts retention.
        if (Interlocked.CompareExchange(ref _nextPruneTicks, now.UtcTicks + _retentionInterval.Ticks, next) != next)
        {
            return;
        }
        var token = _disposing.Token;
        _pruneTask = Task.Run(
            async () =>
            {
                try
                {
                    await PruneAsync(now, token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is JobStoreException or OperationCanceledException or ObjectDisposedException)
                {
                    // Retention tries again after the next interval; a failing database fails the writes, which report it.
                }
            },
            CancellationToken.None);
    }

    private void EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_opened)
        {
            throw new InvalidOperationException($"The job store {_store} is not open: call {nameof(OpenAsync)} first.");
        }
    }

    /// <summary>The store's statements, for its schema and its clock.</summary>
    private sealed class Sql
    {
        public Sql(string schema, bool databaseClock)
        {
            var runs = schema + ".runs";
            string Lease(int parameter) => databaseClock ? $"now() + ${parameter}" : $"${parameter}";

            // Claims insert in the order of their occurrence, so two nodes that claim the same occurrences wait for
            // each other in the same order and cannot deadlock.
            Claim =
                $"INSERT INTO {runs} (job_id, scheduled, manual, node, owner, started, lease_until, unique_slot) "
                + $"SELECT c.job_id, c.scheduled, false, $4, $5, c.started, {Lease(6)}, true FROM unnest($1::text[], $2::bigint[], $3::bigint[]) AS c(job_id, scheduled, started) "
                + "ORDER BY c.job_id COLLATE \"C\", c.scheduled ON CONFLICT (job_id, scheduled) WHERE unique_slot DO NOTHING RETURNING job_id, scheduled, id";
            ClaimTriggered =
                $"INSERT INTO {runs} (job_id, scheduled, manual, node, owner, started, lease_until) VALUES ($1, $2, $3, $4, $5, $6, {Lease(7)}) RETURNING id";
            Renew = $"UPDATE {runs} SET lease_until = {Lease(3)} WHERE id = ANY($1) AND owner = $2 AND lease_until IS NOT NULL RETURNING id";
            Finish =
                $"UPDATE {runs} r SET started = coalesce(f.started, r.started), ended = f.ended, outcome = f.outcome, skipped = f.skipped, count = f.count, "
                + "attempt = f.attempt, error = f.error, output = f.output, lease_until = NULL "
                + "FROM unnest($1::bigint[], $3::bigint[], $4::bigint[], $5::integer[], $6::integer[], $7::bigint[], $8::integer[], $9::text[], $10::text[]) "
                + "AS f(id, started, ended, outcome, skipped, count, attempt, error, output) "
                + "WHERE r.id = f.id AND r.owner = $2 AND r.lease_until IS NOT NULL RETURNING r.id";
            Insert =
                $"INSERT INTO {runs} (job_id, scheduled, manual, node, started, ended, outcome, skipped, count, attempt, error, output) "
                + "SELECT job_id, scheduled, manual, node, started, ended, outcome, skipped, count, attempt, error, output FROM unnest("
                + "$1::text[], $2::bigint[], $3::boolean[], $4::text[], $5::bigint[], $6::bigint[], $7::integer[], $8::integer[], $9::bigint[], $10::integer[], $11::text[], $12::text[]) "
                + "WITH ORDINALITY AS r(job_id, scheduled, manual, node, started, ended, outcome, skipped, count, attempt, error, output, ord) ORDER BY ord";
            Upsert =
                $"INSERT INTO {schema}.jobs (job_id, schedule, next_occurrence, paused, run_count, success_count, failure_count, timeout_count, retry_count, skip_count, "
                + "misfire_count, rejected_count, coalesced_count, abandoned_count, last_run, last_scheduled, last_duration, last_outcome, last_error) "
                + "SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::boolean[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], "
                + "$10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[], $18::integer[], $19::text[]) "
                + "AS s(job_id, schedule, next_occurrence, paused, run_count, success_count, failure_count, timeout_count, retry_count, skip_count, misfire_count, "
                + "rejected_count, coalesced_count, abandoned_count, last_run, last_scheduled, last_duration, last_outcome, last_error) ORDER BY job_id COLLATE \"C\" "
                + "ON CONFLICT (job_id) DO UPDATE SET schedule = excluded.schedule, next_occurrence = excluded.next_occurrence, "
                + "run_count = excluded.run_count, success_count = excluded.success_count, failure_count = excluded.failure_count, "
                + "timeout_count = excluded.timeout_count, retry_count = excluded.retry_count, skip_count = excluded.skip_count, "
                + "misfire_count = excluded.misfire_count, rejected_count = excluded.rejected_count, coalesced_count = excluded.coalesced_count, "
                + "abandoned_count = excluded.abandoned_count, last_run = excluded.last_run, last_scheduled = excluded.last_scheduled, "
                + "last_duration = excluded.last_duration, last_outcome = excluded.last_outcome, last_error = excluded.last_error";
            States =
                "SELECT job_id, schedule, next_occurrence, paused, run_count, success_count, failure_count, timeout_count, retry_count, skip_count, "
                + $"misfire_count, rejected_count, coalesced_count, abandoned_count, last_run, last_scheduled, last_duration, last_outcome, last_error FROM {schema}.jobs ORDER BY job_id";
            var nextVersion = $"nextval('{schema.Replace("'", "''", StringComparison.Ordinal)}.control_version')";

            // A pause, a resume or a removal changes a job that has a row; a definition may be the first thing stored of its job.
            Control =
                $"UPDATE {schema}.jobs SET paused = coalesce($2::boolean, paused), removed = removed OR $3, definition = CASE WHEN $3 THEN NULL ELSE definition END, "
                + $"control_version = {nextVersion} WHERE job_id = $1";
            Define =
                $"INSERT INTO {schema}.jobs (job_id, schedule, removed, definition, control_version) VALUES ($1, '', false, $2::text, {nextVersion}) "
                + "ON CONFLICT (job_id) DO UPDATE SET removed = false, definition = excluded.definition, control_version = excluded.control_version";
            Beat =
                $"INSERT INTO {schema}.nodes (owner, node, host, pid, version, started, last_seen, interval, jobs, running, stopped, job_set, peers, claimed_from, claimed_through) "
                + $"VALUES ($1, $2, $3, $4, $5, $6, {(databaseClock ? "clock_timestamp()" : "$15")}, $7, $8, $9, $10, $11, $12, $13::bigint, $14::bigint) "
                + "ON CONFLICT (owner) DO UPDATE SET node = excluded.node, last_seen = excluded.last_seen, interval = excluded.interval, "
                + "jobs = excluded.jobs, running = excluded.running, stopped = excluded.stopped, job_set = excluded.job_set, peers = excluded.peers, "
                + "claimed_from = excluded.claimed_from, claimed_through = excluded.claimed_through";
            Forget = $"DELETE FROM {schema}.nodes WHERE last_seen < now() - interval '1 day'";
            Changes = $"SELECT job_id, paused, control_version, clock_timestamp(), removed, definition FROM {schema}.jobs WHERE control_version > $1 ORDER BY control_version";
            Nodes = $"SELECT owner, node, host, pid, version, started, last_seen, interval, jobs, running, stopped, clock_timestamp(), job_set, peers, claimed_from, claimed_through FROM {schema}.nodes ORDER BY last_seen DESC, owner";
            var expiredBefore = databaseClock ? "now()" : "$3";
            Abandon =
                $"WITH expired AS (SELECT id FROM {runs} WHERE lease_until < {expiredBefore} ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED) "
                + $"UPDATE {runs} r SET outcome = 4, ended = $1, lease_until = NULL, "
                + "error = 'Abandoned: its process (node ' || r.node || ') stopped renewing its lease before the run ended.' "
                + $"FROM expired WHERE r.id = expired.id RETURNING r.id, r.job_id, r.scheduled, r.manual, r.node, r.started, r.ended, r.outcome, r.skipped, r.count, r.attempt, r.error, r.output";
            History = $"SELECT {RunColumns} FROM {runs} WHERE job_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3";
            PruneAge =
                $"DELETE FROM {runs} WHERE id IN (SELECT id FROM {runs} WHERE scheduled < $1 AND lease_until IS NULL AND coalesce(ended, scheduled) < $1 "
                + "LIMIT $2 FOR UPDATE SKIP LOCKED)";
            NextJob = $"SELECT min(job_id) FROM {runs} WHERE job_id > $1";
            Boundary = $"SELECT id FROM {runs} WHERE job_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1";
            PruneJob = $"DELETE FROM {runs} WHERE id IN (SELECT id FROM {runs} WHERE job_id = $1 AND id <= $2 AND lease_until IS NULL LIMIT $3 FOR UPDATE SKIP LOCKED)";
        }

        public string Claim { get; }

        public string ClaimTriggered { get; }

        public string Renew { get; }

        public string Finish { get; }

        public string Insert { get; }

        public string Upsert { get; }

        public string States { get; }

        public string Abandon { get; }

        public string Control { get; }

        public string Define { get; }

        public string Beat { get; }

        public string Forget { get; }

        public string Changes { get; }

        public string Nodes { get; }

        public string History { get; }

        public string PruneAge { get; }

        public string NextJob { get; }

        public string Boundary { get; }

        public string PruneJob { get; }
    }

    /// <summary>A subscriber to <see cref="Subscribe"/>, removed when disposed.</summary>
    private sealed class Subscription(PostgreSqlJobStore store, Action changed) : IDisposable
    {
        public void Dispose()
        {
            lock (store._subscribers)
            {
                store._subscribers.Remove(changed);
            }
        }
    }
}
