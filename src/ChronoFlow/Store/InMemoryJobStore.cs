namespace ChronoFlow;

/// <summary>
/// An <see cref="IJobStore"/> in this process's memory: run history and job state for as long as the process lives,
/// shared by every scheduler that uses the same instance.
/// </summary>
/// <remarks>
/// It keeps the same promises as a durable store (each occurrence claimed once, leases, fencing, abandonment), so it
/// serves tests and apps that want <see cref="JobScheduler.GetRunsAsync"/> without a database. It keeps at most
/// <see cref="MaxRunsPerJob"/> history rows per job, dropping the oldest ended rows first, and remembers every claimed
/// occurrence for as long as it lives, so that none is claimed twice. Nothing outlives the process: for that, use a
/// durable store.
/// </remarks>
/// <threadsafety>All members are safe to call from any thread, concurrently.</threadsafety>
public sealed class InMemoryJobStore : IJobStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, JobState> _states = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LinkedList<Row>> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<long, Row> _running = [];
    private readonly HashSet<(string JobId, long Scheduled)> _claimed = [];
    private readonly Dictionary<string, JobControlChange> _controls = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NodeInfo> _nodes = new(StringComparer.Ordinal);
    private long _nextId;
    private long _controlVersion;
    private DateTimeOffset _lastHeartbeat;

    /// <summary>Creates an empty store that keeps up to 1,000 history rows per job.</summary>
    public InMemoryJobStore()
        : this(1_000)
    {
    }

    /// <summary>Creates an empty store.</summary>
    /// <param name="maxRunsPerJob">How many history rows to keep per job, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxRunsPerJob"/> is below 1.</exception>
    public InMemoryJobStore(int maxRunsPerJob)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRunsPerJob, 1);
        MaxRunsPerJob = maxRunsPerJob;
    }

    /// <summary>Gets how many history rows the store keeps per job.</summary>
    public int MaxRunsPerJob { get; }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<JobState>> OpenAsync(string node, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return new ValueTask<IReadOnlyList<JobState>>(_states.Values.ToArray());
        }
    }

    /// <inheritdoc/>
    public ValueTask<StoreWriteResult> WriteAsync(StoreBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var ids = new long[batch.Claims.Count];
        List<long>? fenced = null;
        lock (_gate)
        {
            for (var i = 0; i < ids.Length; i++)
            {
                var claim = batch.Claims[i];
                if (!claim.Manual && !claim.Recovery && !_claimed.Add((claim.JobId, claim.ScheduledTime.UtcTicks)))
                {
                    continue;
                }

                var row = new Row(++_nextId, batch.Owner, batch.LeaseUntil)
                {
                    Record = new RunRecord
                    {
                        Id = _nextId,
                        JobId = claim.JobId,
                        ScheduledTime = claim.ScheduledTime,
                        Manual = claim.Manual,
                        Node = batch.Node,
                        StartedTime = claim.StartedTime,
                    },
                };
                ids[i] = row.Id;
                _running.Add(row.Id, row);
                Append(row);
            }

            foreach (var record in batch.Records)
            {
                if (record.Id == 0)
                {
                    Append(new Row(++_nextId, "", default) { Record = record with { Id = _nextId } });
                }
                else if (_running.TryGetValue(record.Id, out var row) && row.Owner == batch.Owner)
                {
                    _running.Remove(record.Id);
                    row.Record = record with { StartedTime = record.StartedTime ?? row.Record.StartedTime };
                }
                else
                {
                    (fenced ??= []).Add(record.Id);
                }
            }

            foreach (var id in batch.Renewals)
            {
                if (_running.TryGetValue(id, out var row) && row.Owner == batch.Owner)
                {
                    row.LeaseUntil = batch.LeaseUntil;
                }
                else
                {
                    (fenced ??= []).Add(id);
                }
            }

            foreach (var state in batch.States)
            {
                // Whether a job is paused is the controls' to say once its row exists.
                _states[state.JobId] = _states.TryGetValue(state.JobId, out var stored) ? state with { Paused = stored.Paused } : state;
            }

            foreach (var control in batch.Controls)
            {
                _states.TryGetValue(control.JobId, out var stored);
                var change = _controls.TryGetValue(control.JobId, out var last) ? last : new JobControlChange(control.JobId, stored?.Paused ?? false, 0);
                if (control.Paused is { } paused)
                {
                    if (stored is null)
                    {
                        // As a database's row: a pause reaches only a job whose state was written.
                        continue;
                    }

                    _states[control.JobId] = stored with { Paused = paused };
                    change = change with { Paused = paused };
                }
                else
                {
                    var removed = control.Kind == JobControlKind.Remove;
                    if (removed && stored is null && last == default)
                    {
                        continue;
                    }

                    change = change with { Removed = removed, Definition = removed ? null : control.Definition };
                }

                _controls[control.JobId] = change with { Version = ++_controlVersion };
            }
        }

        return new ValueTask<StoreWriteResult>(new StoreWriteResult(ids, (IReadOnlyList<long>?)fenced ?? []));
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<RunRecord>> AbandonExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        List<RunRecord>? abandoned = null;
        lock (_gate)
        {
            foreach (var row in _running.Values)
            {
                if (row.LeaseUntil < now)
                {
                    row.Record = row.Record with
                    {
                        EndedTime = now,
                        Outcome = JobOutcome.Abandoned,
                        Error = $"Abandoned: node {row.Record.Node} stopped renewing its lease.",
                    };
                    (abandoned ??= []).Add(row.Record);
                }
            }

            if (abandoned is not null)
            {
                foreach (var record in abandoned)
                {
                    // It keeps its occurrence: only a recovery claim, from the process the sweep gave it to, runs it again.
                    _running.Remove(record.Id);
                }
            }
        }

        return new ValueTask<IReadOnlyList<RunRecord>>((IReadOnlyList<RunRecord>?)abandoned ?? []);
    }

    /// <inheritdoc/>
    public ValueTask<StoreSync> SyncAsync(NodeHeartbeat heartbeat, long sinceVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        lock (_gate)
        {
            _nodes[heartbeat.Owner] = NodeInfo.FromHeartbeat(heartbeat, heartbeat.Now);
            if (heartbeat.Now > _lastHeartbeat)
            {
                _lastHeartbeat = heartbeat.Now;
            }

            var changes = _controls.Values.Where(c => c.Version > sinceVersion).OrderBy(c => c.Version).ToArray();
            return new ValueTask<StoreSync>(new StoreSync(changes, null));
        }
    }

    /// <inheritdoc/>
    public ValueTask<NodeList> GetNodesAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            NodeInfo[] nodes = [.. _nodes.Values.OrderByDescending(n => n.LastSeen)];
            return new ValueTask<NodeList>(new NodeList(_lastHeartbeat, nodes));
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<RunRecord>> GetRunsAsync(string jobId, RunQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var limit = query.Limit <= 0 ? 50 : Math.Min(query.Limit, 1_000);
        var page = new List<RunRecord>(Math.Min(limit, 64));
        lock (_gate)
        {
            if (_runs.TryGetValue(jobId, out var rows))
            {
                for (var node = rows.Last; node is not null && page.Count < limit; node = node.Previous)
                {
                    if (query.BeforeId is not { } before || node.Value.Id < before)
                    {
                        page.Add(node.Value.Record);
                    }
                }
            }
        }

        return new ValueTask<IReadOnlyList<RunRecord>>(page);
    }

    private void Append(Row row)
    {
        var jobId = row.Record.JobId;
        if (!_runs.TryGetValue(jobId, out var rows))
        {
            _runs[jobId] = rows = new LinkedList<Row>();
        }

        rows.AddLast(row);
        for (var node = rows.First; rows.Count > MaxRunsPerJob && node is not null;)
        {
            var next = node.Next;
            if (!_running.ContainsKey(node.Value.Id))
            {
                rows.Remove(node);
            }

            node = next;
        }
    }

    private sealed class Row(long id, string owner, DateTimeOffset leaseUntil)
    {
        public readonly long Id = id;
        public readonly string Owner = owner;
        public DateTimeOffset LeaseUntil = leaseUntil;
        public required RunRecord Record;
    }
}
