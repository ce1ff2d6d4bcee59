using System.Reflection;

namespace ChronoFlow;

/// <summary>
/// The scheduler's side of a store shared by several processes: pauses and resumes that act everywhere, the node
/// registry's heartbeat, and the store's clock.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Pause(string)"/> and <see cref="Resume(string)"/> act here at once and queue a <see cref="JobControl"/>
/// for the writer's next batch. On each maintenance tick the writer calls <see cref="IJobStore.SyncAsync"/>, which beats
/// this process's heart in the registry and returns the controls other processes wrote since the last one; they are
/// applied as if called here, except for jobs with a control of this process's own still pending, which wins.
/// </para>
/// <para>
/// A store with a clock of its own (PostgreSQL's) returns it on each sync. The scheduler then runs on that clock: its
/// <see cref="TimeProvider"/> adds the measured offset to the process's, so due checks agree across processes whose
/// clocks do not. The offset is measured at start, before restored jobs resume, and kept up to date on each tick.
/// </para>
/// </remarks>
public sealed partial class JobScheduler
{
    private static readonly string s_version = typeof(JobScheduler).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";

    /// <summary>The loop that syncs with the other processes (<see cref="SyncLoopAsync"/>).</summary>
    private readonly BackgroundLoop _sync = new();

    /// <summary>The clock with the store's offset; <see langword="null"/> without a store.</summary>
    private readonly StoreClock? _storeClock;

    // Guarded by _gate.

    /// <summary>The definitions stored for jobs defined as data, by job id: those bound here and those this process cannot run.</summary>
    private readonly Dictionary<string, string> _definitions = new(StringComparer.Ordinal);
    private long _controlVersion;
    private DateTimeOffset _startedAt;
    private volatile bool _storeHasClock;
    private IDisposable? _changeSubscription;

    /// <summary>
    /// Reads the node registry of the <see cref="SchedulerOptions.Store"/>: every process sharing it, with its last
    /// heartbeat. Without a store, the list holds this process alone.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The nodes, and the time they were read at.</returns>
    /// <exception cref="JobStoreException">The store could not be read.</exception>
    public async ValueTask<NodeList> GetNodesAsync(CancellationToken cancellationToken = default)
    {
        if (_store is null || !Volatile.Read(ref _storeReady))
        {
            var now = _time.GetUtcNow();
            return new NodeList(now, [NodeInfo.FromHeartbeat(Heartbeat(now, stopping: false), now)]);
        }

        return await ReadNodesAsync(cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<NodeList> ReadNodesAsync(CancellationToken cancellationToken)
    {
        var list = await _store!.GetNodesAsync(cancellationToken).ConfigureAwait(false);

        // The registry's times are the processes' own when the store has no clock: judge them by this one.
        return _storeHasClock ? list : list with { Now = _time.GetUtcNow() };
    }

    /// <summary>Gets the offset of the store's clock from the process's, which the scheduler's clock includes.</summary>
    internal TimeSpan StoreClockOffset => _storeClock?.Offset ?? TimeSpan.Zero;

    /// <summary>Queues a change for every process sharing the store. Free without a store.</summary>
    private void QueueControlLocked(JobControl control)
    {
        if (_store is not null)
        {
            var lane = LaneOf(control.JobId);
            lane.Controls.Add(control);
            lane.Signal();
        }
    }

    /// <summary>
    /// Binds a definition with the binder and remembers it. One that cannot run here (an unknown task type, or, from the
    /// store, an invalid definition) leaves no earlier version of the job running here.
    /// </summary>
    /// <returns>Whether the job runs here.</returns>
    /// <exception cref="FormatException">The definition is invalid and was given here (not <paramref name="fromStore"/>); from the store, nothing is thrown.</exception>
    private bool BindDefinition(IJobDefinitionBinder binder, string jobId, string definition, bool fromStore)
    {
        string? reason;
        bool bound;
        try
        {
            bound = binder.TryBind(this, jobId, definition, out reason);
        }
        catch (Exception ex) when (fromStore && ex is not OutOfMemoryException)
        {
            // From the store, a bad definition (or a binder that fails) must not stop the sync: it is logged, not run.
            (bound, reason) = (false, ex is FormatException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}");
        }

        lock (_gate)
        {
            _definitions[jobId] = definition;
        }

        if (!bound)
        {
            RemoveCore(jobId);
            SchedulerLog.DefinitionNotRun(_logger, jobId, reason!);
        }
        else if (fromStore)
        {
            SchedulerLog.ControlApplied(_logger, jobId, "defined");
        }

        return bound;
    }

    /// <summary>This process as the node registry shows it.</summary>
    private NodeHeartbeat Heartbeat(DateTimeOffset now, bool stopping)
    {
        int jobs;
        long jobSet, peers;
        (DateTimeOffset? From, DateTimeOffset? Through) claimed;
        lock (_gate)
        {
            jobs = _jobs.Count;
            jobSet = _jobSetHash;
            peers = _peers?.Hash ?? 0;
            claimed = stopping ? (null, null) : ClaimedSpanLocked(now.UtcTicks);
        }

        return new NodeHeartbeat
        {
            Node = _node,
            Owner = _owner,
            Host = Environment.MachineName,
            ProcessId = Environment.ProcessId,
            Version = s_version,
            Started = _startedAt == default ? now : _startedAt,
            Now = now,
            Jobs = jobs,
            Running = Volatile.Read(ref _running),
            Interval = _options.LeaseDuration / 3,
            Stopping = stopping,
            JobSetHash = jobSet,
            PeersHash = peers,
            ClaimedFrom = claimed.From,
            ClaimedThrough = claimed.Through,
        };
    }

    /// <summary>
    /// Beats this process's heart in the registry, moves the clock to the store's, and returns the controls that other
    /// processes wrote since the last sync. Called by the writer (and at start and stop, when no writer runs).
    /// </summary>
    /// <exception cref="JobStoreException">The store failed.</exception>
    private async Task<IReadOnlyList<JobControlChange>> SyncClusterAsync(bool stopping)
    {
        var store = _store!;
        long since;
        lock (_gate)
        {
            since = _controlVersion;
        }

        var clock = _storeClock!;
        var before = clock.Inner.GetUtcNow();
        var sync = await store.SyncAsync(Heartbeat(_time.GetUtcNow(), stopping), since, CancellationToken.None).ConfigureAwait(false);
        var after = clock.Inner.GetUtcNow();
        if (sync.StoreTime is { } storeTime)
        {
            _storeHasClock = true;
            // The store read its clock somewhere within the round trip: half of it is the measure's uncertainty.
            var offset = storeTime - (before + ((after - before) / 2));
            var error = (after - before) / 2;
            if ((offset - clock.Offset).Duration() > TimeSpan.FromMilliseconds(50) + error)
            {
                var previous = clock.Offset;
                clock.Offset = offset;
                SchedulerLog.ClockOffset(_logger, offset.TotalMilliseconds, previous.TotalMilliseconds);
            }
        }

        lock (_gate)
        {
            if (_vouchFrom == 0)
            {
                // The first heartbeat: no process could count this one among its peers before it, so it vouches for no
                // occurrence from before (JobScheduler.Peers); until it takes peers, every occurrence after it is its own
                // to claim or to decide. On the store's clock, a round trip early, so that what another process set aside
                // for it once it read this heartbeat falls inside.
                _vouchFrom = (sync.StoreTime is { } at ? at - (after - before) : before + clock.Offset).UtcTicks;
            }

            if (sync.Changes.Count != 0)
            {
                _controlVersion = Math.Max(_controlVersion, sync.Changes[^1].Version);
            }
        }

        return sync.Changes;
    }

    /// <summary>
    /// Applies the changes other processes wrote (pauses, resumes, removals, definitions) as if made here. At open, a
    /// removal of a job this process registered in code is older than that registration, which undoes it instead.
    /// </summary>
    private void ApplyControls(IReadOnlyList<JobControlChange> changes, bool atOpen = false)
    {
        foreach (var change in changes)
        {
            var id = change.JobId;
            bool registered, codeJob;
            string? known;
            lock (_gate)
            {
                // A control of this process's own that is not written yet is newer than anything the store returned.
                if (LaneOf(id).Controls.Exists(c => c.JobId == id))
                {
                    continue;
                }

                registered = _jobs.TryGetValue(id, out var job);
                _definitions.TryGetValue(id, out known);
                codeJob = registered && known is null;
                if (!registered && _stored is not null && _stored.TryGetValue(id, out var state))
                {
                    // Not registered here yet: when it is, it starts from the state as it now is.
                    _stored[id] = state with { Paused = change.Paused };
                }

                if (change.Removed && atOpen && codeJob)
                {
                    QueueControlLocked(new JobControl(id, JobControlKind.Define));
                    continue;
                }
            }

            if (change.Removed)
            {
                lock (_gate)
                {
                    _definitions.Remove(id);
                }

                if (RemoveCore(id))
                {
                    SchedulerLog.ControlApplied(_logger, id, "removed");
                }

                continue;
            }

            if (change.Definition is { } definition && definition != known)
            {
                if (codeJob)
                {
                    SchedulerLog.DefinitionNotRun(_logger, id, "the application registers a job with this id in code here, which wins");
                    continue;
                }

                if (_options.DefinitionBinder is not { } binder)
                {
                    lock (_gate)
                    {
                        _definitions[id] = definition;
                    }

                    SchedulerLog.DefinitionNotRun(_logger, id, $"no {nameof(SchedulerOptions.DefinitionBinder)} is set in this process");
                    continue;
                }

                BindDefinition(binder, id, definition, fromStore: true);
            }
            else if (change.Definition is null && known is not null)
            {
                // Defined in code by another process now: the stored definition no longer applies here.
                lock (_gate)
                {
                    _definitions.Remove(id);
                }

                RemoveCore(id);
                continue;
            }

            bool apply;
            lock (_gate)
            {
                apply = _jobs.TryGetValue(id, out var job) && job.Paused != change.Paused;
            }

            if (!apply)
            {
                continue;
            }

            if (change.Paused)
            {
                PauseCore(id, fromStore: true);
            }
            else
            {
                ResumeCore(id, fromStore: true);
            }
        }
    }

    /// <summary>
    /// The first sync, at start, before jobs resume: registers the process and measures the store's clock. Jobs that
    /// the store knew nothing of took their first occurrence from the process's clock; when the store's clock differs,
    /// their first occurrence is taken again from it. A failure is logged, and the writer's first tick tries again.
    /// </summary>
    /// <returns>Whether the clock moved, and the controls written since (the caller applies them once jobs are restored).</returns>
    private async Task<(bool ClockMoved, IReadOnlyList<JobControlChange> Changes)> SyncAtOpenAsync()
    {
        try
        {
            var changes = await SyncClusterAsync(stopping: false).ConfigureAwait(false);
            if (_peerClaimDelayTicks != 0)
            {
                UpdatePeers(await ReadNodesAsync(CancellationToken.None).ConfigureAwait(false));
            }

            return (_storeClock!.Offset != TimeSpan.Zero, changes);
        }
        catch (Exception ex) when (ex is JobStoreException or OperationCanceledException)
        {
            SchedulerLog.SyncFailed(_logger, ex, ex.Message);
            return (false, []);
        }
    }

    /// <summary>Listens for other processes' changes, when the store can tell: each one makes the writer sync at once.</summary>
    private void SubscribeToStoreChanges()
    {
        if (_store is IJobStoreChangeNotifier notifier)
        {
            _changeSubscription = notifier.Subscribe(OnStoreChanged);
        }
    }

    private void OnStoreChanged() => _sync.Signal();

    /// <summary>
    /// The sync with the other processes, on its own loop: on each maintenance tick (or at once when the store says that
    /// another process wrote a change) it beats this process's heart in the registry, applies the changes other processes
    /// wrote, and reads the registry for the division of the jobs. It never waits behind the store's writers, whose
    /// batches take long under load: a heartbeat that came late would make this process look lost to the others.
    /// </summary>
    private async Task SyncLoopAsync()
    {
        var reader = _sync.Wake.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            reader.TryRead(out _);
            try
            {
                var changes = await SyncClusterAsync(stopping: false).ConfigureAwait(false);
                ApplyControls(changes);
                if (_peerClaimDelayTicks != 0)
                {
                    UpdatePeers(await ReadNodesAsync(CancellationToken.None).ConfigureAwait(false));
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The writers report a store that fails; the next tick syncs again.
                SchedulerLog.SyncFailed(_logger, ex, ex.Message);
            }

            lock (_gate)
            {
                if (!reader.TryPeek(out _))
                {
                    _sync.CompleteFlushWaitersLocked();
                }
            }
        }

        lock (_gate)
        {
            _sync.CompleteFlushWaitersLocked();
        }
    }

    /// <summary>Says in the registry that this process stopped; best effort, once the writer has ended.</summary>
    private async Task SyncAtStopAsync()
    {
        try
        {
            await SyncClusterAsync(stopping: true).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is JobStoreException or OperationCanceledException)
        {
            // The registry shows the process as lost once its heartbeats stop: true enough.
            SchedulerLog.SyncFailed(_logger, ex, ex.Message);
        }
    }

    /// <summary>A clock that is the process's plus the offset of the store's clock; timers are the process's.</summary>
    internal sealed class StoreClock(TimeProvider inner) : TimeProvider
    {
        private long _offsetTicks;

        public TimeProvider Inner => inner;

        public TimeSpan Offset
        {
            get => TimeSpan.FromTicks(Volatile.Read(ref _offsetTicks));
            set => Volatile.Write(ref _offsetTicks, value.Ticks);
        }

        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow().AddTicks(Volatile.Read(ref _offsetTicks));

        public override long GetTimestamp() => inner.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => inner.CreateTimer(callback, state, dueTime, period);
    }
}
