using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ChronoFlow;

/// <summary>
/// Keeps job state, the claims of occurrences and run history in one SQLite file, so that they outlive the process and
/// can be shared by several processes on the same machine: each scheduled occurrence runs once among all of them.
/// </summary>
/// <remarks>
/// <para>
/// The file is in WAL mode with <c>synchronous=NORMAL</c>: a committed batch survives the process being killed
/// (<c>kill -9</c>) at any moment; a power loss or an operating system crash may lose the last batches before the WAL is
/// checkpointed, but never corrupts the file. Readers do not block the writer and the writer does not block readers.
/// Several processes may open the same file; their writes take turns, each waiting up to
/// <see cref="SqliteJobStoreOptions.BusyTimeout"/> for the write lock. The file must be on a local disk: SQLite's locks
/// do not work over network file systems.
/// </para>
/// <para>
/// Each <see cref="WriteAsync"/> is one <c>BEGIN IMMEDIATE</c> transaction on one long-lived connection with its
/// statements prepared once. A scheduled occurrence is claimed at most once (a unique index on the job id and the
/// scheduled time, over the rows that hold their occurrence); a run that is abandoned keeps its occurrence, and only a
/// <see cref="RunClaim.Recovery"/> claim runs it again. Times are stored as UTC ticks.
/// </para>
/// <para>
/// Old history is deleted after writes, in the background, as <see cref="SqliteJobStoreOptions"/> says.
/// </para>
/// </remarks>
/// <threadsafety>
/// As <see cref="IJobStore"/> requires: one writer at a time calls <see cref="WriteAsync"/>; <see cref="GetRunsAsync"/>
/// may be called from any thread at any time, each call on a connection of its own.
/// </threadsafety>
public sealed class SqliteJobStore : IJobStore, IAsyncDisposable, IDisposable
{
    private const int PruneChunk = 500;

    private const string RunColumns = "id, job_id, scheduled, manual, node, started, ended, outcome, skipped, count, attempt, error, output";

    private readonly string _writerConnectionString;
    private readonly string _readerConnectionString;
    private readonly TimeSpan _maxAge;
    private readonly int _maxRunsPerJob;
    private readonly TimeSpan _retentionInterval;
    private readonly int _busyTimeoutMs;

    // Guards the writer connection: batches, the abandon sweep and each retention chunk take it in turn.
    private readonly SemaphoreSlim _writerGate = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private SqliteConnection? _writer;
    private Statements? _statements;
    private long _nextPruneTicks;
    private Task _pruneTask = Task.CompletedTask;
    private volatile bool _disposed;

    /// <summary>Creates a store over a database file, with the default retention.</summary>
    /// <param name="path">The database file; created, with its directory, when missing.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    public SqliteJobStore(string path)
        : this(new SqliteJobStoreOptions { Path = path })
    {
    }

    /// <summary>Creates a store. Nothing is opened until <see cref="OpenAsync"/>.</summary>
    /// <param name="options">The file and the retention.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message lists each problem.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public SqliteJobStore(SqliteJobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.GetErrors();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }

        Path = System.IO.Path.GetFullPath(options.Path);
        _maxAge = options.HistoryMaxAge;
        _maxRunsPerJob = options.HistoryMaxRunsPerJob;
        _retentionInterval = options.RetentionInterval;
        _busyTimeoutMs = (int)options.BusyTimeout.TotalMilliseconds;
        var timeoutSeconds = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        _writerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = timeoutSeconds,
        }.ToString();
        _readerConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = true,
            DefaultTimeout = timeoutSeconds,
        }.ToString();
    }

    /// <summary>Gets the full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Gets the retention that a write started last, or a completed task; tests await it.</summary>
    internal Task RetentionTask => _pruneTask;

    /// <inheritdoc/>
    /// <remarks>
    /// Creates the file's directory when missing, puts the file in WAL mode, and creates or migrates its schema in one
    /// transaction (two processes that open a new file together create the schema once). A file whose schema is newer
    /// than this code knows is refused.
    /// </remarks>
    public ValueTask<IReadOnlyList<JobState>> OpenAsync(string node, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        if (_writer is not null)
        {
            throw new InvalidOperationException($"The job store '{Path}' is already open.");
        }

        PrepareDirectory();
        var connection = new SqliteConnection(_writerConnectionString);
        try
        {
            connection.Open();

            // SQLite opens a file it may not write read-only, without a word; every write would then fail. Say so now.
            if (SQLitePCL.raw.sqlite3_db_readonly(connection.Handle, "main") == 1)
            {
                throw new JobStoreException($"Could not open the job store '{Path}': the file is read-only for this process; the store writes to it.");
            }

            SqliteSchema.Execute(connection, "PRAGMA busy_timeout = " + _busyTimeoutMs.ToString(CultureInfo.InvariantCulture));
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "PRAGMA journal_mode = WAL";
                var mode = command.ExecuteScalar() as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new JobStoreException(
                        $"Could not open the job store '{Path}': SQLite could not put it in WAL mode (it stayed in '{mode}' mode). The file or its directory is "
                        + "read-only for this process (SQLite writes the -wal and -shm files beside the file), or the file system does not support WAL (a network share).");
                }
            }

            SqliteSchema.Execute(connection, "PRAGMA synchronous = NORMAL");
            SqliteSchema.Migrate(connection, Path, TimeProvider.System.GetUtcNow());
            var states = ReadStates(connection);
            _statements = new Statements(connection);
            _writer = connection;
            return new(states);
        }
        catch (SqliteException ex)
        {
            connection.Dispose();
            throw new JobStoreException($"Could not open the job store '{Path}': {Describe(ex)}", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<StoreWriteResult> WriteAsync(StoreBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        if (batch.IsEmpty)
        {
            return new StoreWriteResult([], []);
        }

        await EnterAsync(cancellationToken).ConfigureAwait(false);
        StoreWriteResult result;
        try
        {
            result = Write(Opened(), batch, cancellationToken);
        }
        finally
        {
            _writerGate.Release();
        }

        SchedulePrune(batch.Now);
        return result;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// An abandoned run keeps its row, with the error saying which node stopped renewing its lease, and its occurrence:
    /// a later claim of the same occurrence loses, and only a <see cref="RunClaim.Recovery"/> claim runs it again.
    /// </remarks>
    public async ValueTask<IReadOnlyList<RunRecord>> AbandonExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var s = Opened();
            var abandoned = new List<RunRecord>();
            try
            {
                s.Begin.ExecuteNonQuery();
                try
                {
                    s.AbandonNow.Value = now.UtcTicks;
                    using (var reader = s.Abandon.ExecuteReader())
                    {
                        while (reader.Read())
                        {
                            abandoned.Add(ReadRun(reader));
                        }
                    }

                    s.Commit.ExecuteNonQuery();
                }
                catch
                {
                    SqliteSchema.Rollback(s.Connection);
                    throw;
                }
            }
            catch (SqliteException ex)
            {
                throw new JobStoreException($"Could not record the runs with expired leases as abandoned in the job store '{Path}': {Describe(ex)}", ex);
            }

            return abandoned;
        }
        finally
        {
            _writerGate.Release();
        }
    }

    /// <inheritdoc/>
    /// <remarks>A file has no clock of its own: <see cref="StoreSync.StoreTime"/> is <see langword="null"/>, and the registry's times are the processes'.</remarks>
    public async ValueTask<StoreSync> SyncAsync(NodeHeartbeat heartbeat, long sinceVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        cancellationToken.ThrowIfCancellationRequested();
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var s = Opened();
            var changes = new List<JobControlChange>();
            try
            {
                s.Begin.ExecuteNonQuery();
                try
                {
                    using (var beat = s.Connection.CreateCommand())
                    {
                        beat.CommandText =
                            "INSERT INTO nodes (owner, node, host, pid, version, started, last_seen, interval, jobs, running, stopped, job_set, peers, claimed_from, claimed_through) "
                            + "VALUES ($owner, $node, $host, $pid, $version, $started, $now, $interval, $jobs, $running, $stopped, $jobSet, $peers, $claimedFrom, $claimedThrough) "
                            + "ON CONFLICT (owner) DO UPDATE SET node = excluded.node, last_seen = excluded.last_seen, interval = excluded.interval, "
                            + "jobs = excluded.jobs, running = excluded.running, stopped = excluded.stopped, job_set = excluded.job_set, peers = excluded.peers, "
                            + "claimed_from = excluded.claimed_from, claimed_through = excluded.claimed_through; "
                            + "DELETE FROM nodes WHERE last_seen < $forget";
                        beat.Parameters.AddWithValue("$owner", heartbeat.Owner);
                        beat.Parameters.AddWithValue("$node", heartbeat.Node);
                        beat.Parameters.AddWithValue("$host", heartbeat.Host);
                        beat.Parameters.AddWithValue("$pid", heartbeat.ProcessId);
                        beat.Parameters.AddWithValue("$version", heartbeat.Version);
                        beat.Parameters.AddWithValue("$started", heartbeat.Started.UtcTicks);
                        beat.Parameters.AddWithValue("$now", heartbeat.Now.UtcTicks);
                        beat.Parameters.AddWithValue("$interval", heartbeat.Interval.Ticks);
                        beat.Parameters.AddWithValue("$jobs", heartbeat.Jobs);
                        beat.Parameters.AddWithValue("$running", heartbeat.Running);
                        beat.Parameters.AddWithValue("$stopped", heartbeat.Stopping ? 1 : 0);
                        beat.Parameters.AddWithValue("$jobSet", heartbeat.JobSetHash);
                        beat.Parameters.AddWithValue("$peers", heartbeat.PeersHash);
                        beat.Parameters.AddWithValue("$claimedFrom", (object?)heartbeat.ClaimedFrom?.UtcTicks ?? DBNull.Value);
                        beat.Parameters.AddWithValue("$claimedThrough", (object?)heartbeat.ClaimedThrough?.UtcTicks ?? DBNull.Value);
                        beat.Parameters.AddWithValue("$forget", heartbeat.Now.UtcTicks - TimeSpan.TicksPerDay);
                        beat.ExecuteNonQuery();
                    }

                    using (var read = s.Connection.CreateCommand())
                    {
                        read.CommandText = "SELECT job_id, paused, control_version, removed, definition FROM jobs WHERE control_version > $since ORDER BY control_version";
                        read.Parameters.AddWithValue("$since", sinceVersion);
                        using var reader = read.ExecuteReader();
                        while (reader.Read())
                        {
                            changes.Add(new JobControlChange(reader.GetString(0), reader.GetInt64(1) != 0, reader.GetInt64(2))
                            {
                                Removed = reader.GetInt64(3) != 0,
                                Definition = reader.IsDBNull(4) ? null : reader.GetString(4),
                            });
                        }
                    }

                    s.Commit.ExecuteNonQuery();
                }
                catch
                {
                    SqliteSchema.Rollback(s.Connection);
                    throw;
                }
            }
            catch (SqliteException ex)
            {
                throw new JobStoreException($"Could not write this process's heartbeat to the job store '{Path}': {Describe(ex)}", ex);
            }

            return new StoreSync(changes, null);
        }
        finally
        {
            _writerGate.Release();
        }
    }

    /// <inheritdoc/>
    /// <remarks><see cref="NodeList.Now"/> is the latest heartbeat's time: a file has no clock of its own.</remarks>
    public ValueTask<NodeList> GetNodesAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is null)
        {
            throw NotOpen();
        }

        try
        {
            using var connection = new SqliteConnection(_readerConnectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT owner, node, host, pid, version, started, last_seen, interval, jobs, running, stopped, job_set, peers, claimed_from, claimed_through "
                + "FROM nodes ORDER BY last_seen DESC, owner";
            var nodes = new List<NodeInfo>();
            using var r = command.ExecuteReader();
            while (r.Read())
            {
                nodes.Add(new NodeInfo
                {
                    Owner = r.GetString(0),
                    Node = r.GetString(1),
                    Host = r.GetString(2),
                    ProcessId = r.GetInt32(3),
                    Version = r.GetString(4),
                    Started = ToTime(r.GetInt64(5)),
                    LastSeen = ToTime(r.GetInt64(6)),
                    Interval = TimeSpan.FromTicks(r.GetInt64(7)),
                    Jobs = r.GetInt32(8),
                    Running = r.GetInt32(9),
                    Stopped = r.GetInt64(10) != 0,
                    JobSetHash = r.GetInt64(11),
                    PeersHash = r.GetInt64(12),
                    ClaimedFrom = ToTime(r, 13),
                    ClaimedThrough = ToTime(r, 14),
                });
            }

            return new(new NodeList(nodes.Count == 0 ? default : nodes[0].LastSeen, nodes));
        }
        catch (SqliteException ex)
        {
            throw new JobStoreException($"Could not read the node registry from the job store '{Path}': {Describe(ex)}", ex);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<RunRecord>> GetRunsAsync(string jobId, RunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is null)
        {
            throw NotOpen();
        }

        var limit = Math.Clamp(query.Limit, 1, 1000);
        try
        {
            using var connection = new SqliteConnection(_readerConnectionString);
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {RunColumns} FROM runs WHERE job_id = $job AND id < $before ORDER BY id DESC LIMIT $limit";
            command.Parameters.AddWithValue("$job", jobId);
            command.Parameters.AddWithValue("$before", query.BeforeId ?? long.MaxValue);
            command.Parameters.AddWithValue("$limit", limit);
            var runs = new List<RunRecord>(Math.Min(limit, 64));
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                runs.Add(ReadRun(reader));
            }

            return new(runs);
        }
        catch (SqliteException ex)
        {
            throw new JobStoreException($"Could not read the history of job '{jobId}' from the job store '{Path}': {Describe(ex)}", ex);
        }
    }

    /// <summary>
    /// Deletes the run history that <see cref="SqliteJobStoreOptions.HistoryMaxAge"/> and
    /// <see cref="SqliteJobStoreOptions.HistoryMaxRunsPerJob"/> no longer keep, now. Writes do this by themselves every
    /// <see cref="SqliteJobStoreOptions.RetentionInterval"/>; call this to prune at a time of your choosing.
    /// </summary>
    /// <remarks>
    /// It deletes in chunks of a few hundred rows, each in its own short transaction, so writes go on in between. A
    /// running run is never deleted.
    /// </remarks>
    /// <param name="now">The clock that ages the history.</param>
    /// <param name="cancellationToken">Stops the pruning between chunks; what was deleted stays deleted.</param>
    /// <returns>How many rows were deleted.</returns>
    /// <exception cref="JobStoreException">A delete failed.</exception>
    public async ValueTask<long> PruneAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deleted = 0L;
        if (_maxAge != Timeout.InfiniteTimeSpan)
        {
            var cutoff = now.UtcTicks - Math.Min(_maxAge.Ticks, now.UtcTicks);
            int chunk;
            do
            {
                chunk = await PruneChunkAsync(s =>
                {
                    s.PruneAgeCutoff.Value = cutoff;
                    return s.PruneAge.ExecuteNonQuery();
                }, cancellationToken).ConfigureAwait(false);
                deleted += chunk;
            }
            while (chunk >= PruneChunk);
        }

        if (_maxRunsPerJob > 0)
        {
            var job = "";
            while (true)
            {
                // The next job id in the runs index after the last one: an index seek, however many rows there are.
                long? boundary = null;
                var next = await WithWriterAsync(s =>
                {
                    s.NextJobAfter.Value = job;
                    if (s.NextJob.ExecuteScalar() is not string found)
                    {
                        return null;
                    }

                    s.BoundaryJob.Value = found;
                    s.BoundaryKeep.Value = _maxRunsPerJob;
                    boundary = s.Boundary.ExecuteScalar() is long id ? id : null;
                    return found;
                }, cancellationToken).ConfigureAwait(false);
                if (next is null)
                {
                    break;
                }

                job = next;
                if (boundary is not { } last)
                {
                    continue;
                }

                int chunk;
                do
                {
                    chunk = await PruneChunkAsync(s =>
                    {
                        s.PruneJobId.Value = next;
                        s.PruneJobBoundary.Value = last;
                        return s.PruneJob.ExecuteNonQuery();
                    }, cancellationToken).ConfigureAwait(false);
                    deleted += chunk;
                }
                while (chunk >= PruneChunk);
            }
        }

        return deleted;
    }

    /// <summary>Stops retention and closes the database.</summary>
    /// <returns>A task that completes when the store is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _disposing.CancelAsync().ConfigureAwait(false);
        try
        {
            await _pruneTask.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await _writerGate.WaitAsync().ConfigureAwait(false);
        try
        {
            Close();
        }
        finally
        {
            _writerGate.Release();
        }
    }

    /// <summary>Stops retention and closes the database.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Says in words what a SQLite error means for the store, followed by SQLite's own message.</summary>
    internal static string Describe(SqliteException ex)
    {
        var meaning = (ex.SqliteErrorCode & 0xFF) switch
        {
            3 or 23 => "permission denied",
            5 or 6 => "another process held the database locked for longer than the busy timeout",
            8 => "the file or its directory is read-only for this process (SQLite writes the file and the -wal and -shm files beside it)",
            10 => "an I/O error: the disk or the file system failed",
            11 => "the database file is corrupt",
            13 => "the disk is full",
            14 => "the file cannot be opened or created: its directory is missing or not writable, or the path is a directory",
            26 => "the file is not a SQLite database: it is corrupt, encrypted, or some other kind of file",
            19 => "a row broke a constraint of the schema",
            _ => "SQLite failed",
        };
        return $"{meaning} (SQLite error {ex.SqliteErrorCode.ToString(CultureInfo.InvariantCulture)}: {ex.Message})";
    }

    private static DateTimeOffset ToTime(long ticks) => new(ticks, TimeSpan.Zero);

    private static DateTimeOffset? ToTime(SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : ToTime(reader.GetInt64(ordinal));

    private static object Db(DateTimeOffset? time) => time is { } t ? t.UtcTicks : DBNull.Value;

    private static object Db(string? text) => (object?)text ?? DBNull.Value;


    private static RunRecord ReadRun(SqliteDataReader r) => new()
    {
        Id = r.GetInt64(0),
        JobId = r.GetString(1),
        ScheduledTime = ToTime(r.GetInt64(2)),
        Manual = r.GetInt64(3) != 0,
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

    private static List<JobState> ReadStates(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT job_id, schedule, next_occurrence, paused, run_count, success_count, failure_count, timeout_count, retry_count, skip_count, "
            + "misfire_count, rejected_count, coalesced_count, abandoned_count, last_run, last_scheduled, last_duration, last_outcome, last_error FROM jobs ORDER BY job_id";
        using var r = command.ExecuteReader();
        var states = new List<JobState>();
        while (r.Read())
        {
            states.Add(new JobState
            {
                JobId = r.GetString(0),
                Schedule = r.GetString(1),
                NextOccurrence = ToTime(r, 2),
                Paused = r.GetInt64(3) != 0,
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

    private StoreWriteResult Write(Statements s, StoreBatch batch, CancellationToken cancellationToken)
    {
        var claimIds = batch.Claims.Count == 0 ? [] : new long[batch.Claims.Count];
        List<long>? fenced = null;
        try
        {
            s.Begin.ExecuteNonQuery();
            try
            {
                var lease = batch.LeaseUntil.UtcTicks;
                if (batch.Claims.Count > 0)
                {
                    s.ClaimNode.Value = batch.Node;
                    s.ClaimOwner.Value = batch.Owner;
                    s.ClaimLease.Value = lease;
                    for (var i = 0; i < batch.Claims.Count; i++)
                    {
                        var claim = batch.Claims[i];
                        s.ClaimJob.Value = claim.JobId;
                        s.ClaimScheduled.Value = claim.ScheduledTime.UtcTicks;
                        s.ClaimManual.Value = claim.Manual ? 1 : 0;
                        s.ClaimStarted.Value = claim.StartedTime.UtcTicks;
                        s.ClaimSlot.Value = claim.Manual || claim.Recovery ? DBNull.Value : 1;
                        claimIds[i] = s.Claim.ExecuteScalar() is long id ? id : 0;
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                if (batch.Records.Count > 0)
                {
                    s.FinishOwner.Value = batch.Owner;
                    foreach (var record in batch.Records)
                    {
                        if (record.Id != 0)
                        {
                            s.FinishId.Value = record.Id;
                            s.FinishStarted.Value = Db(record.StartedTime);
                            s.FinishEnded.Value = Db(record.EndedTime);
                            s.FinishOutcome.Value = record.Outcome is { } o ? (int)o : DBNull.Value;
                            s.FinishSkipped.Value = (int)record.Skipped;
                            s.FinishCount.Value = record.Count;
                            s.FinishAttempt.Value = record.Attempt;
                            s.FinishError.Value = Db(RunRecord.Head(record.Error, RunRecord.MaxErrorLength));
                            s.FinishOutput.Value = Db(RunRecord.Tail(record.Output, RunRecord.MaxOutputLength));
                            if (s.Finish.ExecuteNonQuery() == 0)
                            {
                                (fenced ??= []).Add(record.Id);
                            }
                        }
                        else
                        {
                            s.InsertJob.Value = record.JobId;
                            s.InsertScheduled.Value = record.ScheduledTime.UtcTicks;
                            s.InsertManual.Value = record.Manual ? 1 : 0;
                            s.InsertNode.Value = record.Node ?? "";
                            s.InsertStarted.Value = Db(record.StartedTime);
                            s.InsertEnded.Value = Db(record.EndedTime);
                            s.InsertOutcome.Value = record.Outcome is { } o ? (int)o : DBNull.Value;
                            s.InsertSkipped.Value = (int)record.Skipped;
                            s.InsertCount.Value = record.Count;
                            s.InsertAttempt.Value = record.Attempt;
                            s.InsertError.Value = Db(RunRecord.Head(record.Error, RunRecord.MaxErrorLength));
                            s.InsertOutput.Value = Db(RunRecord.Tail(record.Output, RunRecord.MaxOutputLength));
                            s.Insert.ExecuteNonQuery();
                        }
                    }
                }

                if (batch.Renewals.Count > 0)
                {
                    s.RenewOwner.Value = batch.Owner;
                    s.RenewLease.Value = lease;
                    foreach (var id in batch.Renewals)
                    {
                        s.RenewId.Value = id;
                        if (s.Renew.ExecuteNonQuery() == 0)
                        {
                            (fenced ??= []).Add(id);
                        }
                    }
                }

                foreach (var state in batch.States)
                {
                    s.SetState(state);
                    s.Upsert.ExecuteNonQuery();
                }

                foreach (var control in batch.Controls)
                {
                    if (control.Kind == JobControlKind.Define)
                    {
                        s.DefineJob.Value = control.JobId;
                        s.DefineText.Value = (object?)control.Definition ?? DBNull.Value;
                        s.Define.ExecuteNonQuery();
                    }
                    else
                    {
                        s.ControlJob.Value = control.JobId;
                        s.ControlPaused.Value = control.Paused is { } paused ? (paused ? 1 : 0) : DBNull.Value;
                        s.ControlRemove.Value = control.Kind == JobControlKind.Remove ? 1 : 0;
                        s.Control.ExecuteNonQuery();
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                s.Commit.ExecuteNonQuery();
            }
            catch
            {
                SqliteSchema.Rollback(s.Connection);
                throw;
            }
        }
        catch (SqliteException ex)
        {
            throw new JobStoreException($"Could not write to the job store '{Path}', and nothing of the batch was applied: {Describe(ex)}", ex);
        }

        return new StoreWriteResult(claimIds, (IReadOnlyList<long>?)fenced ?? []);
    }

    /// <summary>Starts retention in the background when its interval has passed and none is running.</summary>
    private void SchedulePrune(DateTimeOffset now)
    {
        if (_retentionInterval == Timeout.InfiniteTimeSpan || !_pruneTask.IsCompleted || now.UtcTicks < _nextPruneTicks || _disposed)
        {
            return;
        }

        _nextPruneTicks = now.UtcTicks + _retentionInterval.Ticks;
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

    private async ValueTask<int> PruneChunkAsync(Func<Statements, int> delete, CancellationToken cancellationToken)
    {
        return await WithWriterAsync(
            s =>
            {
                s.Begin.ExecuteNonQuery();
                try
                {
                    s.PruneLimit(PruneChunk);
                    var n = delete(s);
                    s.Commit.ExecuteNonQuery();
                    return n;
                }
                catch
                {
                    SqliteSchema.Rollback(s.Connection);
                    throw;
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<T> WithWriterAsync<T>(Func<Statements, T> action, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        await EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return action(Opened());
        }
        catch (SqliteException ex)
        {
            throw new JobStoreException($"Could not delete old run history from the job store '{Path}': {Describe(ex)}", ex);
        }
        finally
        {
            _writerGate.Release();
        }
    }

    private ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _writerGate.Wait(0) ? ValueTask.CompletedTask : new ValueTask(_writerGate.WaitAsync(cancellationToken));
    }

    /// <summary>The statements, once opened; the caller holds the writer gate.</summary>
    private Statements Opened()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _statements ?? throw NotOpen();
    }

    private InvalidOperationException NotOpen() => new($"The job store '{Path}' is not open: call {nameof(OpenAsync)} first.");

    private void PrepareDirectory()
    {
        if (Directory.Exists(Path))
        {
            throw new JobStoreException($"Could not open the job store '{Path}': the path is a directory; give the path of a file in it.");
        }

        var directory = System.IO.Path.GetDirectoryName(Path);
        if (string.IsNullOrEmpty(directory) || Directory.Exists(directory))
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw new JobStoreException($"Could not open the job store '{Path}': its directory '{directory}' does not exist and cannot be created ({ex.Message})", ex);
        }
    }

    private void Close()
    {
        _statements?.Dispose();
        _statements = null;
        if (_writer is { } writer)
        {
            _writer = null;
            writer.Dispose();
            using var reader = new SqliteConnection(_readerConnectionString);
            SqliteConnection.ClearPool(reader);
        }
    }

    /// <summary>The writer's statements, prepared once on its connection and run again with new parameter values.</summary>
    private sealed class Statements : IDisposable
    {
        private readonly List<SqliteCommand> _commands = [];

        public Statements(SqliteConnection connection)
        {
            Connection = connection;
            Begin = Command("BEGIN IMMEDIATE");
            Commit = Command("COMMIT");

            Claim = Command(
                "INSERT INTO runs (job_id, scheduled, manual, node, owner, started, lease_until, unique_slot) "
                + "VALUES ($job, $scheduled, $manual, $node, $owner, $started, $lease, $slot) ON CONFLICT DO NOTHING RETURNING id");
            ClaimJob = Parameter(Claim, "$job", SqliteType.Text);
            ClaimScheduled = Parameter(Claim, "$scheduled", SqliteType.Integer);
            ClaimManual = Parameter(Claim, "$manual", SqliteType.Integer);
            ClaimNode = Parameter(Claim, "$node", SqliteType.Text);
            ClaimOwner = Parameter(Claim, "$owner", SqliteType.Text);
            ClaimStarted = Parameter(Claim, "$started", SqliteType.Integer);
            ClaimLease = Parameter(Claim, "$lease", SqliteType.Integer);
            ClaimSlot = Parameter(Claim, "$slot", SqliteType.Integer);

            Finish = Command(
                "UPDATE runs SET started = coalesce($started, started), ended = $ended, outcome = $outcome, skipped = $skipped, count = $count, "
                + "attempt = $attempt, error = $error, output = $output, lease_until = NULL WHERE id = $id AND lease_until IS NOT NULL AND owner = $owner");
            FinishId = Parameter(Finish, "$id", SqliteType.Integer);
            FinishOwner = Parameter(Finish, "$owner", SqliteType.Text);
            FinishStarted = Parameter(Finish, "$started", SqliteType.Integer);
            FinishEnded = Parameter(Finish, "$ended", SqliteType.Integer);
            FinishOutcome = Parameter(Finish, "$outcome", SqliteType.Integer);
            FinishSkipped = Parameter(Finish, "$skipped", SqliteType.Integer);
            FinishCount = Parameter(Finish, "$count", SqliteType.Integer);
            FinishAttempt = Parameter(Finish, "$attempt", SqliteType.Integer);
            FinishError = Parameter(Finish, "$error", SqliteType.Text);
            FinishOutput = Parameter(Finish, "$output", SqliteType.Text);

            Insert = Command(
                "INSERT INTO runs (job_id, scheduled, manual, node, started, ended, outcome, skipped, count, attempt, error, output) "
                + "VALUES ($job, $scheduled, $manual, $node, $started, $ended, $outcome, $skipped, $count, $attempt, $error, $output)");
            InsertJob = Parameter(Insert, "$job", SqliteType.Text);
            InsertScheduled = Parameter(Insert, "$scheduled", SqliteType.Integer);
            InsertManual = Parameter(Insert, "$manual", SqliteType.Integer);
            InsertNode = Parameter(Insert, "$node", SqliteType.Text);
            InsertStarted = Parameter(Insert, "$started", SqliteType.Integer);
            InsertEnded = Parameter(Insert, "$ended", SqliteType.Integer);
            InsertOutcome = Parameter(Insert, "$outcome", SqliteType.Integer);
            InsertSkipped = Parameter(Insert, "$skipped", SqliteType.Integer);
            InsertCount = Parameter(Insert, "$count", SqliteType.Integer);
            InsertAttempt = Parameter(Insert, "$attempt", SqliteType.Integer);
            InsertError = Parameter(Insert, "$error", SqliteType.Text);
            InsertOutput = Parameter(Insert, "$output", SqliteType.Text);

            Renew = Command("UPDATE runs SET lease_until = $lease WHERE id = $id AND lease_until IS NOT NULL AND owner = $owner");
            RenewId = Parameter(Renew, "$id", SqliteType.Integer);
            RenewOwner = Parameter(Renew, "$owner", SqliteType.Text);
            RenewLease = Parameter(Renew, "$lease", SqliteType.Integer);

            Upsert = Command(
                "INSERT INTO jobs (job_id, schedule, next_occurrence, paused, run_count, success_count, failure_count, timeout_count, retry_count, skip_count, "
                + "misfire_count, rejected_count, coalesced_count, abandoned_count, last_run, last_scheduled, last_duration, last_outcome, last_error) "
                + "VALUES ($p0, $p1, $p2, $p3, $p4, $p5, $p6, $p7, $p8, $p9, $p10, $p11, $p12, $p13, $p14, $p15, $p16, $p17, $p18) "
                + "ON CONFLICT (job_id) DO UPDATE SET schedule = excluded.schedule, next_occurrence = excluded.next_occurrence, "
                + "run_count = excluded.run_count, success_count = excluded.success_count, failure_count = excluded.failure_count, "
                + "timeout_count = excluded.timeout_count, retry_count = excluded.retry_count, skip_count = excluded.skip_count, "
                + "misfire_count = excluded.misfire_count, rejected_count = excluded.rejected_count, coalesced_count = excluded.coalesced_count, "
                + "abandoned_count = excluded.abandoned_count, last_run = excluded.last_run, last_scheduled = excluded.last_scheduled, "
                + "last_duration = excluded.last_duration, last_outcome = excluded.last_outcome, last_error = excluded.last_error");
            _state = new SqliteParameter[19];
            for (var i = 0; i < _state.Length; i++)
            {
                _state[i] = Parameter(Upsert, "$p" + i.ToString(CultureInfo.InvariantCulture), i is 0 or 1 or 18 ? SqliteType.Text : SqliteType.Integer);
            }

            // A pause, a resume or a removal changes a job that has a row; a definition may be the first thing stored of its job.
            Control = Command(
                "UPDATE jobs SET paused = coalesce($paused, paused), removed = max(removed, $remove), definition = CASE WHEN $remove = 1 THEN NULL ELSE definition END, "
                + "control_version = (SELECT coalesce(max(control_version), 0) + 1 FROM jobs) WHERE job_id = $job");
            ControlJob = Parameter(Control, "$job", SqliteType.Text);
            ControlPaused = Parameter(Control, "$paused", SqliteType.Integer);
            ControlRemove = Parameter(Control, "$remove", SqliteType.Integer);
            Define = Command(
                "INSERT INTO jobs (job_id, schedule, removed, definition, control_version) VALUES ($job, '', 0, $definition, (SELECT coalesce(max(control_version), 0) + 1 FROM jobs)) "
                + "ON CONFLICT (job_id) DO UPDATE SET removed = 0, definition = excluded.definition, control_version = excluded.control_version");
            DefineJob = Parameter(Define, "$job", SqliteType.Text);
            DefineText = Parameter(Define, "$definition", SqliteType.Text);

            Abandon = Command(
                "UPDATE runs SET outcome = 4, ended = $now, lease_until = NULL, "
                + "error = 'Abandoned: its process (node ' || node || ') stopped renewing its lease before the run ended.' "
                + $"WHERE lease_until IS NOT NULL AND lease_until < $now RETURNING {RunColumns}");
            AbandonNow = Parameter(Abandon, "$now", SqliteType.Integer);

            _pruneLimits = [];
            PruneAge = Command(
                "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE scheduled < $cutoff AND lease_until IS NULL "
                + "AND coalesce(ended, scheduled) < $cutoff LIMIT $limit)");
            PruneAgeCutoff = Parameter(PruneAge, "$cutoff", SqliteType.Integer);
            _pruneLimits.Add(Parameter(PruneAge, "$limit", SqliteType.Integer));

            NextJob = Command("SELECT min(job_id) FROM runs WHERE job_id > $after");
            NextJobAfter = Parameter(NextJob, "$after", SqliteType.Text);

            Boundary = Command("SELECT id FROM runs WHERE job_id = $job ORDER BY id DESC LIMIT 1 OFFSET $keep");
            BoundaryJob = Parameter(Boundary, "$job", SqliteType.Text);
            BoundaryKeep = Parameter(Boundary, "$keep", SqliteType.Integer);

            PruneJob = Command(
                "DELETE FROM runs WHERE id IN (SELECT id FROM runs WHERE job_id = $job AND id <= $boundary AND lease_until IS NULL LIMIT $limit)");
            PruneJobId = Parameter(PruneJob, "$job", SqliteType.Text);
            PruneJobBoundary = Parameter(PruneJob, "$boundary", SqliteType.Integer);
            _pruneLimits.Add(Parameter(PruneJob, "$limit", SqliteType.Integer));

            foreach (var command in _commands)
            {
                command.Prepare();
            }
        }

        private readonly SqliteParameter[] _state;
        private readonly List<SqliteParameter> _pruneLimits;

        public SqliteConnection Connection { get; }

        public SqliteCommand Begin { get; }

        public SqliteCommand Commit { get; }

        public SqliteCommand Claim { get; }

        public SqliteParameter ClaimJob { get; }

        public SqliteParameter ClaimScheduled { get; }

        public SqliteParameter ClaimManual { get; }

        public SqliteParameter ClaimNode { get; }

        public SqliteParameter ClaimOwner { get; }

        public SqliteParameter ClaimStarted { get; }

        public SqliteParameter ClaimLease { get; }

        public SqliteParameter ClaimSlot { get; }

        public SqliteCommand Finish { get; }

        public SqliteParameter FinishId { get; }

        public SqliteParameter FinishOwner { get; }

        public SqliteParameter FinishStarted { get; }

        public SqliteParameter FinishEnded { get; }

        public SqliteParameter FinishOutcome { get; }

        public SqliteParameter FinishSkipped { get; }

        public SqliteParameter FinishCount { get; }

        public SqliteParameter FinishAttempt { get; }

        public SqliteParameter FinishError { get; }

        public SqliteParameter FinishOutput { get; }

        public SqliteCommand Insert { get; }

        public SqliteParameter InsertJob { get; }

        public SqliteParameter InsertScheduled { get; }

        public SqliteParameter InsertManual { get; }

        public SqliteParameter InsertNode { get; }

        public SqliteParameter InsertStarted { get; }

        public SqliteParameter InsertEnded { get; }

        public SqliteParameter InsertOutcome { get; }

        public SqliteParameter InsertSkipped { get; }

        public SqliteParameter InsertCount { get; }

        public SqliteParameter InsertAttempt { get; }

        public SqliteParameter InsertError { get; }

        public SqliteParameter InsertOutput { get; }

        public SqliteCommand Renew { get; }

        public SqliteParameter RenewId { get; }

        public SqliteParameter RenewOwner { get; }

        public SqliteParameter RenewLease { get; }

        public SqliteCommand Upsert { get; }

        public SqliteCommand Control { get; }

        public SqliteParameter ControlJob { get; }

        public SqliteParameter ControlPaused { get; }

        public SqliteParameter ControlRemove { get; }

        public SqliteCommand Define { get; }

        public SqliteParameter DefineJob { get; }

        public SqliteParameter DefineText { get; }

        public SqliteCommand Abandon { get; }

        public SqliteParameter AbandonNow { get; }

        public SqliteCommand PruneAge { get; }

        public SqliteParameter PruneAgeCutoff { get; }

        public SqliteCommand NextJob { get; }

        public SqliteParameter NextJobAfter { get; }

        public SqliteCommand Boundary { get; }

        public SqliteParameter BoundaryJob { get; }

        public SqliteParameter BoundaryKeep { get; }

        public SqliteCommand PruneJob { get; }

        public SqliteParameter PruneJobId { get; }

        public SqliteParameter PruneJobBoundary { get; }

        public void PruneLimit(int limit)
        {
            foreach (var parameter in _pruneLimits)
            {
                parameter.Value = limit;
            }
        }

        public void SetState(JobState state)
        {
            var p = _state;
            p[0].Value = state.JobId;
            p[1].Value = state.Schedule;
            p[2].Value = Db(state.NextOccurrence);
            p[3].Value = state.Paused ? 1 : 0;
            p[4].Value = state.RunCount;
            p[5].Value = state.SuccessCount;
            p[6].Value = state.FailureCount;
            p[7].Value = state.TimeoutCount;
            p[8].Value = state.RetryCount;
            p[9].Value = state.SkipCount;
            p[10].Value = state.MisfireCount;
            p[11].Value = state.RejectedCount;
            p[12].Value = state.CoalescedCount;
            p[13].Value = state.AbandonedCount;
            p[14].Value = Db(state.LastRun);
            p[15].Value = Db(state.LastScheduledTime);
            p[16].Value = state.LastDuration is { } d ? d.Ticks : DBNull.Value;
            p[17].Value = state.LastOutcome is { } o ? (int)o : DBNull.Value;
            p[18].Value = Db(RunRecord.Head(state.LastError, RunRecord.MaxErrorLength));
        }

        public void Dispose()
        {
            foreach (var command in _commands)
            {
                command.Dispose();
            }
        }

        private static SqliteParameter Parameter(SqliteCommand command, string name, SqliteType type) => command.Parameters.Add(name, type);

        private SqliteCommand Command(string sql)
        {
            var command = Connection.CreateCommand();
            command.CommandText = sql;
            _commands.Add(command);
            return command;
        }
    }
}
