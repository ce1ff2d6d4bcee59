using Microsoft.Extensions.Logging;

namespace ChronoFlow;

/// <summary>
/// The scheduler's side of <see cref="SchedulerOptions.Store"/>: restoring job state at start, claiming each run before
/// it starts, and writing outcomes, skipped occurrences, lease renewals and job state from one background writer.
/// </summary>
/// <remarks>
/// <para>
/// Nothing here runs on <see cref="Pump"/>'s path or does I/O under the scheduler's lock. Under the lock the scheduler
/// only appends to the pending lists (a claim when it admits a run, a record when a run ends or is skipped) and marks
/// jobs dirty; the writer takes everything pending in one step, under the lock, and writes it as one batch outside it.
/// </para>
/// <para>
/// A run's claim is appended in the same step that moves its job's cursor past the occurrence, so a batch that stores
/// the moved cursor also holds the claim, or a batch before it did. After a crash the stored cursor therefore never
/// skips an occurrence that was not claimed, and an occurrence that was claimed is never claimed again: the store's
/// unique claim decides. Runs start only once their claim is won.
/// </para>
/// </remarks>
public sealed partial class JobScheduler
{
    private readonly IJobStore? _store;
    private readonly string _node;
    private readonly string _owner = Guid.NewGuid().ToString("N");

    /// <summary>The writers (see <see cref="StoreLane"/>): one, unless the store writes faster on several.</summary>
    private readonly StoreLane[] _lanes;

    // Guarded by _gate.
    private bool _storeReady;
    private Dictionary<string, JobState>? _stored;

    /// <summary>Runs that hold a claim, by claim id, until their finish is written: the leases to renew.</summary>
    private readonly Dictionary<long, ScheduledRun> _leased = [];

    /// <summary>The sweep of expired leases and the sync with the other processes are due: lane 0 does them.</summary>
    private bool _maintenanceDue;
    private string? _storeError;

    /// <summary>Set while claims cannot be written: nothing is admitted, and due occurrences wait for the store.</summary>
    private bool _storeDown;

    private ITimer? _leaseTimer;

    /// <summary>Cut short the writer's back-off when the scheduler stops.</summary>
    private readonly CancellationTokenSource _storeBackoff = new();

    /// <summary>Gets this process's name in run history and in a cluster.</summary>
    public string NodeName => _node;

    /// <summary>
    /// Gets this scheduler's identity in the store: the <see cref="NodeInfo.Owner"/> of its row in the node registry
    /// (<see cref="GetNodesAsync"/>), unique to this instance, where <see cref="NodeName"/> may be shared.
    /// </summary>
    public string NodeOwner => _owner;

    /// <summary>
    /// Reads one job's run history from the <see cref="SchedulerOptions.Store"/>, newest first, one page at a time.
    /// </summary>
    /// <param name="jobId">The job id; the job need not be registered in this process.</param>
    /// <param name="query">The page; <c>default</c> means the newest 50 rows.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The rows; empty without a store.</returns>
    /// <exception cref="JobStoreException">The store could not be read.</exception>
    public ValueTask<IReadOnlyList<RunRecord>> GetRunsAsync(string jobId, RunQuery query = default, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        if (_store is null)
        {
            return new ValueTask<IReadOnlyList<RunRecord>>(Array.Empty<RunRecord>());
        }

        if (query.Limit <= 0)
        {
            query = query with { Limit = 50 };
        }

        return _store.GetRunsAsync(jobId, query, cancellationToken);
    }

    /// <summary>
    /// Opens the store, restores each registered job's state (its next occurrence, pause, counts) and starts the writer.
    /// Occurrences that fell due while no process ran are then misfires, which the next pump handles by policy.
    /// </summary>
    private async Task OpenStoreAsync(IJobStore store, CancellationToken cancellationToken)
    {
        var states = await store.OpenAsync(_node, cancellationToken).ConfigureAwait(false);
        _startedAt = _time.GetUtcNow();
        // The states were read first: a control written since is among the changes, and applied below.
        var (clockMoved, controls) = await SyncAtOpenAsync().ConfigureAwait(false);
        var now = _time.GetUtcNow().UtcTicks;
        if (clockMoved)
        {
            // Taken before the store's clock was known.
            _startedAt += _storeClock!.Offset;
        }

        List<(JobEntry Job, string Stored)>? changed = null;
        lock (_gate)
        {
            ThrowIfStopped();
            if (_storeReady)
            {
                return;
            }

            _stored = new Dictionary<string, JobState>(states.Count, StringComparer.Ordinal);
            foreach (var state in states)
            {
                _stored[state.JobId] = state;
            }

            foreach (var job in _jobs.Values)
            {
                if (clockMoved && !_stored.ContainsKey(job.Id) && !job.Paused)
                {
                    // New to the store, so its first occurrence came from this process's clock: take it from the store's,
                    // and put the job on the timeline there (RestoreLocked leaves a job without a stored state where it
                    // is). A process minutes ahead of the store would otherwise sleep through its first minutes.
                    job.Cursor = job.Schedule.First(now);
                    RequeueLocked(job, now);
                }

                if (RestoreLocked(job, now) is { } stored)
                {
                    (changed ??= []).Add((job, stored));
                }
            }

            _storeReady = true;
            _maintenanceDue = true;
            Volatile.Write(ref _nextDueTicks, NextDueLocked());
            var period = _options.LeaseDuration / 3;
            _leaseTimer = _time.CreateTimer(static s => ((JobScheduler)s!).OnLeaseTimer(), this, period, period);
            foreach (var lane in _lanes)
            {
                lane.Loop = Task.Run(() => StoreLoopAsync(lane), CancellationToken.None);
            }

            _sync.Loop = Task.Run(SyncLoopAsync, CancellationToken.None);
        }

        ApplyControls(controls, atOpen: true);
        SubscribeToStoreChanges();
        SchedulerLog.StoreOpened(_logger, states.Count, _node);
        foreach (var (job, stored) in changed ?? [])
        {
            LogScheduleChanged(job, stored);
        }
    }

    /// <summary>Applies a job's stored state, once, when the job is first known after the store opened.</summary>
    /// <returns>What to log, once the lock is released, when the stored schedule differs: the stored one; else <see langword="null"/>.</returns>
    private string? RestoreLocked(JobEntry job, long now)
    {
        MarkDirtyLocked(job);
        if (_stored is null || !_stored.Remove(job.Id, out var state))
        {
            return null;
        }

        var s = job.GetStats();
        s.RunCount = state.RunCount;
        s.SuccessCount = state.SuccessCount;
        s.FailureCount = state.FailureCount;
        s.TimeoutCount = state.TimeoutCount;
        s.RetryCount = state.RetryCount;
        s.SkipCount = state.SkipCount;
        s.MisfireCount = state.MisfireCount;
        s.RejectedCount = state.RejectedCount;
        s.CoalescedCount = state.CoalescedCount;
        s.AbandonedCount = state.AbandonedCount;
        s.LastRunTicks = state.LastRun?.UtcTicks ?? -1;
        s.LastScheduledTicks = state.LastScheduledTime?.UtcTicks ?? -1;
        s.LastDurationTicks = state.LastDuration?.Ticks ?? -1;
        s.LastOutcome = state.LastOutcome;
        s.LastError = state.LastError;
        job.Paused = state.Paused;

        string? changed = null;
        if (job.Schedule.Kind == ScheduleKind.Startup)
        {
            // A startup job runs at every start: that is its schedule.
        }
        else if (string.Equals(state.Schedule, job.StoreKey, StringComparison.Ordinal))
        {
            var cursor = state.NextOccurrence?.UtcTicks ?? Schedule.NoOccurrence;
            job.Schedule = job.Schedule.ResumeAt(cursor);
            job.Cursor = cursor;
        }
        else if (state.Schedule.Length != 0)
        {
            changed = state.Schedule;
        }

        // An empty stored schedule is a row that a definition created before any process ran the job: it starts afresh.
        RequeueLocked(job, now);

        return changed;
    }

    /// <summary>Logs, outside the lock, that a job's schedule is not the one its stored state was for.</summary>
    private void LogScheduleChanged(JobEntry job, string storedSchedule)
        => SchedulerLog.StoredScheduleChanged(_logger, job.Id, storedSchedule, job.StoreKey ?? "", LogTime(Volatile.Read(ref job.Cursor)));

    /// <summary>Notes that a job's state changed, for the writer to save. Free without a store.</summary>
    private void MarkDirtyLocked(JobEntry job)
    {
        if (_store is not null && !job.Dirty)
        {
            job.Dirty = true;
            var lane = LaneOf(job);
            lane.Dirty.Add(job);
            lane.Signal();
        }
    }

    /// <summary>Queues the claim of an admitted run; the writer admits it for real once the claim is won.</summary>
    private void AddClaimLocked(ScheduledRun run)
    {
        var lane = LaneOf(run.Job);
        if (lane.Claims.Count == 0 || run.ScheduledTicks < lane.ClaimsMin)
        {
            lane.ClaimsMin = run.ScheduledTicks;
        }

        lane.Claims.Add(run);
        lane.Signal();

        // A run waits for its claim: a writer backing off (a failed sweep, say) tries at once rather than after it.
        lane.ClaimWhileBackingOff?.Cancel();
    }

    /// <summary>
    /// With a store: ends a run's claim, if it had one, and queues its history row and its job's state. The one place
    /// where counting a run (<c>JobScheduler.Counting.cs</c>) meets the store.
    /// </summary>
    private void RecordInStoreLocked(JobEntry job, long claimId, RunRecord record)
    {
        if (claimId != 0 && _leased.TryGetValue(claimId, out var ended))
        {
            // Its lease is renewed until the finish is written (OnWritten lets go of it).
            ended.Ended = true;
        }

        MarkDirtyLocked(job);
        var lane = LaneOf(job);
        AddRecordLocked(lane, record);
        lane.Signal();
    }

    /// <summary>
    /// Queues a history row on its lane. While the writer lags (an overloaded or unreachable store), a job's later skips
    /// for the same reason join its row that is not written yet, as its <see cref="RunRecord.Count"/>, rather than adding
    /// a row each: a slow store is not made slower by the skips its slowness causes. The row keeps the first skipped
    /// occurrence's time.
    /// </summary>
    private static void AddRecordLocked(StoreLane lane, RunRecord record)
    {
        if (record is { Id: 0, Skipped: not SkipReason.None })
        {
            if (lane.Skips.TryGetValue((record.JobId, record.Skipped), out var at))
            {
                lane.Records[at] = lane.Records[at] with { Count = lane.Records[at].Count + record.Count };
                return;
            }

            lane.Skips[(record.JobId, record.Skipped)] = lane.Records.Count;
        }

        lane.Records.Add(record);
    }

    /// <summary>With a store, the history row of a run that ended: it finishes the run's claim.</summary>
    private void RecordEndedLocked(ScheduledRun run, in RunResult result, DateTimeOffset now)
    {
        if (_store is not null)
        {
            RecordInStoreLocked(run.Job, run.ClaimId, EndedRecord(run, result, run.Job.Stats!.LastError, now));
        }
    }

    /// <summary>With a store, the history row of occurrences that were due and did not start (a claimed run among them gives up its claim).</summary>
    private void RecordNotStartedLocked(JobEntry job, long claimId, long scheduledTicks, SkipReason reason, long count, long now)
    {
        if (_store is not null)
        {
            RecordInStoreLocked(job, claimId, SkippedRecord(job, claimId, scheduledTicks, reason, count, now));
        }
    }

    /// <summary>The history row of a run that ended.</summary>
    private RunRecord EndedRecord(ScheduledRun run, in RunResult result, string? error, DateTimeOffset now) => new()
    {
        Id = run.ClaimId,
        JobId = run.JobId,
        ScheduledTime = run.ScheduledTime,
        Manual = run.Manual,
        Node = _node,
        StartedTime = result.FirstStartTicks >= 0 ? new DateTimeOffset(result.FirstStartTicks, TimeSpan.Zero) : null,
        EndedTime = now,
        Outcome = result.Outcome,
        Attempt = result.Attempts,
        Error = RunRecord.Head(error, RunRecord.MaxErrorLength),
        Output = RunRecord.Tail(result.Output, RunRecord.MaxOutputLength),
    };

    /// <summary>The history row of occurrences that were due and did not start.</summary>
    private RunRecord SkippedRecord(JobEntry job, long claimId, long scheduledTicks, SkipReason reason, long count, long now) => new()
    {
        Id = claimId,
        JobId = job.Id,
        ScheduledTime = new DateTimeOffset(scheduledTicks, TimeSpan.Zero),
        Node = _node,
        EndedTime = new DateTimeOffset(now, TimeSpan.Zero),
        Skipped = reason,
        Count = count,
    };

    private void OnLeaseTimer()
    {
        lock (_gate)
        {
            _maintenanceDue = true;
        }

        _lanes[0].Signal();
        _sync.Signal();
    }

    /// <summary>Completes once everything pending for the store when it was called has been written (or given up on).</summary>
    internal Task FlushStoreAsync()
    {
        lock (_gate)
        {
            var waiting = new List<Task>(_lanes.Length);
            foreach (var lane in _lanes)
            {
                if (lane.Loop is { IsCompleted: false })
                {
                    var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    lane.FlushWaiters.Add(waiter);
                    lane.Signal();
                    waiting.Add(waiter.Task);
                }
            }

            if (_sync.Loop is { IsCompleted: false })
            {
                var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _sync.FlushWaiters.Add(waiter);
                _sync.Signal();
                waiting.Add(waiter.Task);
            }

            return waiting.Count switch
            {
                0 => Task.CompletedTask,
                1 => waiting[0],
                _ => Task.WhenAll(waiting),
            };
        }
    }

    /// <summary>Writes what is still pending and stops the writer; called once the runs have ended.</summary>
    private async Task StopStoreAsync()
    {
        lock (_gate)
        {
            _leaseTimer?.Dispose();
            _leaseTimer = null;
        }

        if (_lanes[0].Loop is null)
        {
            return;
        }

        await _storeBackoff.CancelAsync().ConfigureAwait(false);
        await FlushStoreAsync().ConfigureAwait(false);
        foreach (var lane in _lanes)
        {
            lane.Wake.Writer.TryComplete();
        }

        foreach (var lane in _lanes)
        {
            await lane.Loop!.ConfigureAwait(false);
        }

        _sync.Wake.Writer.TryComplete();
        await (_sync.Loop ?? Task.CompletedTask).ConfigureAwait(false);
        _changeSubscription?.Dispose();
        if (_storeError is null)
        {
            await SyncAtStopAsync().ConfigureAwait(false);
        }
    }

    private async Task StoreLoopAsync(StoreLane lane)
    {
        var reader = lane.Wake.Reader;
        var failures = 0;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            reader.TryRead(out _);
            while (true)
            {
                var outcome = await WriteOnceAsync(lane).ConfigureAwait(false);
                if (outcome == WriteOutcome.Idle)
                {
                    failures = 0;
                    break;
                }

                if (outcome == WriteOutcome.Written)
                {
                    failures = 0;
                    continue;
                }

                // Failed: back off, on the scheduler's clock. Stopping, it tries three times at once, then gives up
                // what is left and says so: a stop must not wait on a store that is gone.
                failures++;
                if (Volatile.Read(ref _state) >= StateStopping)
                {
                    if (failures >= 3)
                    {
                        AbandonPendingWrites(lane);
                        break;
                    }

                    continue;
                }

                var backoff = TimeSpan.FromMilliseconds(Math.Min(5_000, 100 * (1 << Math.Min(failures, 6))));
                using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(_storeBackoff.Token);
                lock (_gate)
                {
                    // Claims already waiting, or one that comes meanwhile, end the back-off: a run must not wait on a
                    // sweep that failed. During an outage no new claim comes (see _storeDown), so this cannot spin.
                    if (lane.Claims.Count != 0)
                    {
                        interrupt.Cancel();
                    }

                    lane.ClaimWhileBackingOff = interrupt;
                }

                try
                {
                    await Task.Delay(backoff, _time, interrupt.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Stopping, or a claim is waiting: the next pass tries at once.
                }

                lock (_gate)
                {
                    lane.ClaimWhileBackingOff = null;
                }
            }
        }

        lock (_gate)
        {
            lane.CompleteFlushWaitersLocked();
        }
    }

    private enum WriteOutcome
    {
        Idle,
        Written,
        Failed,
    }

    /// <summary>Takes everything pending as one batch, writes it, and applies the answer. Never throws.</summary>
    private async Task<WriteOutcome> WriteOnceAsync(StoreLane lane)
    {
        var store = _store!;
        var batch = lane.Batch;
        batch.Clear();
        List<ScheduledRun> claims;
        bool maintenance;
        var released = 0;
        var stopNotices = default(InlineList<RunNotice>);
        DateTimeOffset now;
        lock (_gate)
        {
            // The clock is read under the lock that the lease timer sets its flag under, so the sweep never runs at a
            // time earlier than the tick that asked for it.
            now = _time.GetUtcNow();
            claims = lane.Claims;
            lane.Claims = [];
            lane.WritingMin = claims.Count == 0 ? long.MaxValue : lane.ClaimsMin;
            batch.RecordList.AddRange(lane.Records);
            lane.Records.Clear();
            lane.Skips.Clear();
            foreach (var job in lane.Dirty)
            {
                job.Dirty = false;
                batch.StateList.Add(StateLocked(job));
            }

            lane.Dirty.Clear();
            batch.ControlList.AddRange(lane.Controls);
            lane.Controls.Clear();
            maintenance = lane.Index == 0 && _maintenanceDue;
            if (maintenance)
            {
                _maintenanceDue = false;

                // A lease set less than a sixth of its length ago has more than two thirds of it left, enough to wait
                // for the next tick (a third of the length away): under load most runs end before they need renewing,
                // and a renewal is a row written.
                var renewBefore = now.UtcTicks - (_options.LeaseDuration.Ticks / 6);
                foreach (var (id, run) in _leased)
                {
                    // A finish in this very batch ends the lease; any other run's lease is renewed, an ended one's too,
                    // while another lane writes its finish.
                    if (run.LeaseSetTicks <= renewBefore && (!run.Ended || LaneOf(run.Job) != lane))
                    {
                        batch.RenewalList.Add(id);
                    }
                }
            }

            if (_state >= StateStopping && claims.Count != 0)
            {
                // Stopping: a run not yet claimed does not start. It is skipped like a queued run; its skip is written
                // below with the rest (its job is of this lane, so the row is in this lane's list).
                ReleaseClaimsLocked(claims, SkipReason.Shutdown, now.UtcTicks, out stopNotices);
                released = claims.Count;
                claims = [];
                batch.RecordList.AddRange(lane.Records);
                lane.Records.Clear();
                lane.Skips.Clear();
            }

            if (batch.IsEmpty && claims.Count == 0 && !maintenance)
            {
                lane.CompleteFlushWaitersLocked();
                return WriteOutcome.Idle;
            }
        }

        if (released != 0)
        {
            _reporter.Report(in stopNotices);
            for (var i = 0; i < released; i++)
            {
                ExitFlight();
            }
        }

        foreach (var run in claims)
        {
            batch.ClaimList.Add(new RunClaim(run.JobId, run.ScheduledTime, run.Manual, now) { Recovery = run.Recovery });
        }

        batch.Node = _node;
        batch.Owner = _owner;
        batch.Now = now;
        batch.LeaseDuration = _options.LeaseDuration;

        StoreWriteResult result;
        try
        {
            result = batch.IsEmpty ? new StoreWriteResult([], []) : await store.WriteAsync(batch, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            OnWriteFailed(lane, batch, claims, ex, now);
            return WriteOutcome.Failed;
        }

        // The batch is in: whatever the sweep does, its claims are won or lost now.
        IReadOnlyList<RunRecord> abandoned = [];
        Exception? sweepError = null;
        if (maintenance)
        {
            try
            {
                abandoned = await store.AbandonExpiredAsync(now, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                sweepError = ex;
            }
        }

        // Only a write or a sweep that reached the store says that it is back; another lane's empty pass says nothing.
        OnWritten(lane, batch, claims, result, abandoned, now, reached: !batch.IsEmpty || (maintenance && sweepError is null));
        if (sweepError is not null)
        {
            lock (_gate)
            {
                _maintenanceDue = true;
                _storeError = sweepError is JobStoreException ? sweepError.Message : $"The job store failed: {sweepError.Message}";
            }

            SchedulerLog.StoreWriteFailed(_logger, sweepError, 0, 0, _storeError);
            return WriteOutcome.Failed;
        }

        return WriteOutcome.Written;
    }

    /// <summary>Starts the runs whose claims were won, releases the others, and handles abandoned runs.</summary>
    private void OnWritten(StoreLane lane, StoreBatch batch, List<ScheduledRun> claims, in StoreWriteResult result, IReadOnlyList<RunRecord> abandoned, DateTimeOffset now, bool reached)
    {
        var won = default(InlineList<ScheduledRun>);
        var admitted = default(InlineList<ScheduledRun>);
        var notices = default(InlineList<RunNotice>);
        var lost = 0;
        List<ScheduledRun>? lostRuns = null;
        List<ScheduledRun>? lateWon = null;
        List<(RunRecord Record, bool Rerun)>? abandonedRuns = null;
        var recovered = false;
        lock (_gate)
        {
            lane.WritingMin = long.MaxValue;
            if (_storeError is not null && reached)
            {
                recovered = true;
                _storeError = null;
            }

            if (_storeDown && reached)
            {
                // Claims can be written again: what fell due meanwhile is due now, and the misfire policy decides.
                _storeDown = false;
                Volatile.Write(ref _nextDueTicks, NextDueLocked());
                ArmTimerLocked(now.UtcTicks);
            }

            for (var i = 0; i < claims.Count; i++)
            {
                var run = claims[i];
                var id = i < result.ClaimIds.Count ? result.ClaimIds[i] : 0;
                if (id > 0 && run.Late && !MayStartLateClaim(run))
                {
                    // Another peer's occurrence that nobody claimed, while a run of the job is still in flight here:
                    // claimed, so it is this process's to record, as busy.
                    lost++;
                    RecordSkippedLocked(run.Job, run.ScheduledTicks, SkipReason.Busy, 1, now.UtcTicks, ref notices, id);
                    ReleaseUnstartedLocked(run, now.UtcTicks, ref admitted, ref notices);
                }
                else if (id > 0)
                {
                    if (run.Late && _logger.IsEnabled(LogLevel.Debug))
                    {
                        (lateWon ??= []).Add(run);
                    }

                    run.ClaimId = id;
                    run.Revoked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                    run.LeaseSetTicks = now.UtcTicks;
                    _leased[id] = run;
                    won.Add(run);
                }
                else
                {
                    // Claimed before: by another process that shares the store, or by this job before a restart. A
                    // late claim of another peer's occurrence is expected to lose: that peer claimed it on time.
                    lost++;
                    if (!run.Late && _logger.IsEnabled(LogLevel.Debug))
                    {
                        (lostRuns ??= []).Add(run);
                    }

                    ReleaseUnstartedLocked(run, now.UtcTicks, ref admitted, ref notices);
                }
            }

            foreach (var record in abandoned)
            {
                (abandonedRuns ??= []).Add((record, OnAbandonedLocked(record)));
            }

            // Renewed from the batch's time on (a little before the store set them: on the safe side). One refused is
            // cancelled below.
            foreach (var id in batch.Renewals)
            {
                if (_leased.TryGetValue(id, out var renewed))
                {
                    renewed.LeaseSetTicks = now.UtcTicks;
                }
            }

            // Written, or refused (below): either way the claims these finishes ended are no longer this process's.
            foreach (var record in batch.Records)
            {
                if (record.Id != 0)
                {
                    _leased.Remove(record.Id);
                }
            }
        }

        foreach (var run in lostRuns ?? [])
        {
            SchedulerLog.ClaimLost(_logger, run.JobId, LogTime(run.ScheduledTicks));
        }

        foreach (var run in lateWon ?? [])
        {
            SchedulerLog.LateClaimWon(_logger, run.JobId, LogTime(run.ScheduledTicks));
        }

        foreach (var (record, rerun) in abandonedRuns ?? [])
        {
            SchedulerLog.RunAbandoned(_logger, record.JobId, LogTime(record.ScheduledTime.UtcTicks), record.Node, rerun);
        }

        if (recovered)
        {
            SchedulerLog.StoreRecovered(_logger);
        }

        foreach (var id in result.Fenced)
        {
            ScheduledRun? revoked;
            lock (_gate)
            {
                _leased.TryGetValue(id, out revoked);
            }

            if ((revoked is null || revoked.Ended) && !batch.Records.Any(r => r.Id == id))
            {
                // The renewal of a run that ended: its finish is in another lane's batch, which says whether it was
                // refused, and may have been written before this renewal came.
                continue;
            }

            SchedulerLog.RunFenced(_logger, id, revoked?.JobId ?? "(ended)");

            // Another process took the lease over while this one stalled: it may run the occurrence again, so this run
            // stops. Cancelled outside the lock: cancellation runs the job's callbacks.
            try
            {
                revoked?.Revoked?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // It ended meanwhile.
            }
        }

        _reporter.Report(in notices);
        Admit(won, now.UtcTicks, claimed: true);
        for (var i = 0; i < lost; i++)
        {
            ExitFlight();
        }
    }

    /// <summary>
    /// Counts a run that a dead or stalled process left behind, and runs it again when its job asks for that: its claim
    /// is queued (AdmitLocked), and the writer starts it once won.
    /// </summary>
    /// <returns>Whether it runs again.</returns>
    private bool OnAbandonedLocked(RunRecord record)
    {
        if (!_jobs.TryGetValue(record.JobId, out var job))
        {
            return false;
        }

        var rerun = _state < StateStopping && (job.Options.RecoverAbandoned ?? job.Schedule.Kind == ScheduleKind.Once);
        job.GetStats().AbandonedCount++;
        MarkDirtyLocked(job);
        if (rerun)
        {
            AdmitLocked(job, record.ScheduledTime.UtcTicks, record.Manual, recovery: true);
        }

        return rerun;
    }

    /// <summary>
    /// Handles a failed write: claims in it are not won, so their runs do not start (counted and recorded as skipped
    /// for <see cref="SkipReason.StoreUnavailable"/>); records and job states go back to be written again.
    /// </summary>
    private void OnWriteFailed(StoreLane lane, StoreBatch batch, List<ScheduledRun> claims, Exception error, DateTimeOffset now)
    {
        InlineList<RunNotice> notices;
        var message = error is JobStoreException ? error.Message : $"The job store failed: {error.Message}";
        lock (_gate)
        {
            lane.WritingMin = long.MaxValue;
            _storeError = message;
            // The batch's rows go back before those that came meanwhile, queued again the way they came: a skipped row
            // that came meanwhile joins the batch's row of the same job and reason.
            var meanwhile = lane.Records.ToArray();
            lane.Records.Clear();
            lane.Skips.Clear();
            foreach (var record in batch.RecordList)
            {
                AddRecordLocked(lane, record);
            }

            foreach (var record in meanwhile)
            {
                AddRecordLocked(lane, record);
            }

            lane.Controls.InsertRange(0, batch.ControlList);
            foreach (var state in batch.StateList)
            {
                if (_jobs.TryGetValue(state.JobId, out var job))
                {
                    MarkDirtyLocked(job);
                }
            }

            if (batch.RenewalList.Count != 0)
            {
                _maintenanceDue = true;
            }

            GiveBackClaimsLocked(claims, now.UtcTicks, out notices);
        }

        SchedulerLog.StoreWriteFailed(_logger, error, claims.Count, batch.RecordList.Count, message);
        _reporter.Report(in notices);
        for (var i = 0; i < claims.Count; i++)
        {
            ExitFlight();
        }
    }

    /// <summary>
    /// Takes back runs whose claims could not be written because the store failed: a scheduled occurrence goes back to
    /// its job's cursor, to be due again once the store is back, when the misfire policy decides what runs (as after a
    /// restart); until then nothing is admitted. A triggered run cannot wait: it is skipped for
    /// <see cref="SkipReason.StoreUnavailable"/>, counted and recorded. The caller exits their flights.
    /// </summary>
    private void GiveBackClaimsLocked(List<ScheduledRun> claims, long now, out InlineList<RunNotice> notices)
    {
        notices = default;
        if (claims.Count == 0)
        {
            return;
        }

        _storeDown = true;
        foreach (var run in claims)
        {
            var job = run.Job;
            job.InFlight--;
            if (run.Manual)
            {
                RecordSkippedLocked(job, run.ScheduledTicks, SkipReason.StoreUnavailable, 1, now, ref notices);
                continue;
            }

            if (job.Removed)
            {
                continue;
            }

            if (job.Cursor == Schedule.NoOccurrence || run.ScheduledTicks < job.Cursor)
            {
                job.Cursor = run.ScheduledTicks;
            }

            job.Parked = false;
            MarkDirtyLocked(job);
            _timeline.Remove(job);
            if (!job.Paused && job.Options.Enabled)
            {
                _timeline.Insert(job, job.Cursor);
            }
        }
    }

    /// <summary>Releases runs whose claims were not made, counting each as skipped; the caller exits their flights.</summary>
    private void ReleaseClaimsLocked(List<ScheduledRun> claims, SkipReason reason, long now, out InlineList<RunNotice> notices)
    {
        notices = default;
        var admitted = default(InlineList<ScheduledRun>);
        foreach (var run in claims)
        {
            RecordSkippedLocked(run.Job, run.ScheduledTicks, reason, 1, now, ref notices);
            ReleaseUnstartedLocked(run, now, ref admitted, ref notices);
        }

        // Runs that a parked job admitted here are already pending claims (AdmitLocked queued them) and counted in flight.
    }

    /// <summary>Takes back an admitted run that will not start; a parked job of it gets its turn.</summary>
    private void ReleaseUnstartedLocked(ScheduledRun run, long now, ref InlineList<ScheduledRun> admitted, ref InlineList<RunNotice> notices)
    {
        var job = run.Job;
        job.InFlight--;
        if (job.Parked)
        {
            job.Parked = false;
            if (!job.Removed && !job.Paused && job.Options.Enabled && _state < StateStopping)
            {
                ProcessDueLocked(job, now, ref admitted, ref notices);
            }
        }
    }

    /// <summary>Gives up on writes still pending after a stop found the store failing; says how much was lost.</summary>
    private void AbandonPendingWrites(StoreLane lane)
    {
        int records;
        lock (_gate)
        {
            records = lane.Records.Count;
            foreach (var record in lane.Records)
            {
                _leased.Remove(record.Id);
            }

            lane.Records.Clear();
            lane.Skips.Clear();
            foreach (var job in lane.Dirty)
            {
                job.Dirty = false;
            }

            lane.Dirty.Clear();
            lane.CompleteFlushWaitersLocked();
        }

        SchedulerLog.StoreWritesLost(_logger, records, _storeError ?? "");
    }

    /// <summary>The durable state of a job, as the store keeps it.</summary>
    private static JobState StateLocked(JobEntry job)
    {
        var s = job.Stats;
        return new JobState
        {
            JobId = job.Id,
            Schedule = job.StoreKey ?? job.Schedule.ToString(),
            NextOccurrence = job.Cursor == Schedule.NoOccurrence ? null : new DateTimeOffset(job.Cursor, TimeSpan.Zero),
            Paused = job.Paused,
            RunCount = s?.RunCount ?? 0,
            SuccessCount = s?.SuccessCount ?? 0,
            FailureCount = s?.FailureCount ?? 0,
            TimeoutCount = s?.TimeoutCount ?? 0,
            RetryCount = s?.RetryCount ?? 0,
            SkipCount = s?.SkipCount ?? 0,
            MisfireCount = s?.MisfireCount ?? 0,
            RejectedCount = s?.RejectedCount ?? 0,
            CoalescedCount = s?.CoalescedCount ?? 0,
            AbandonedCount = s?.AbandonedCount ?? 0,
            LastRun = s is { LastRunTicks: >= 0 } ? new DateTimeOffset(s.LastRunTicks, TimeSpan.Zero) : null,
            LastScheduledTime = s is { LastScheduledTicks: >= 0 } ? new DateTimeOffset(s.LastScheduledTicks, TimeSpan.Zero) : null,
            LastDuration = s is { LastDurationTicks: >= 0 } ? TimeSpan.FromTicks(s.LastDurationTicks) : null,
            LastOutcome = s?.LastOutcome,
            LastError = s?.LastError,
        };
    }

    /// <summary>Log messages of the store (event ids 4xx).</summary>
    private static partial class SchedulerLog
    {
        [LoggerMessage(400, LogLevel.Information, "Job store opened: {JobCount} stored job state(s); this node is {Node}", EventName = "StoreOpened")]
        public static partial void StoreOpened(ILogger logger, int jobCount, string node);

        [LoggerMessage(401, LogLevel.Information, "Job {JobId}: its schedule changed from {StoredSchedule} to {Schedule}; starting afresh, next run {NextRun}", EventName = "StoredScheduleChanged")]
        public static partial void StoredScheduleChanged(ILogger logger, string jobId, string storedSchedule, string schedule, string nextRun);

        [LoggerMessage(402, LogLevel.Debug, "Job {JobId} scheduled {ScheduledTime}: already claimed (by another process, or before a restart); not started here", EventName = "ClaimLost")]
        public static partial void ClaimLost(ILogger logger, string jobId, string scheduledTime);

        [LoggerMessage(403, LogLevel.Error, "Job store write failed ({Claims} claim(s), {Records} history row(s)); runs that could not be claimed are skipped, the rest is retried: {Message}", EventName = "StoreWriteFailed")]
        public static partial void StoreWriteFailed(ILogger logger, Exception error, int claims, int records, string message);

        [LoggerMessage(404, LogLevel.Information, "Job store writes succeed again", EventName = "StoreRecovered")]
        public static partial void StoreRecovered(ILogger logger);

        [LoggerMessage(405, LogLevel.Warning, "Run {RunId} of job {JobId} lost its lease in the job store: another process took it over while this one stalled; the run is cancelled and its outcome is not recorded", EventName = "RunFenced")]
        public static partial void RunFenced(ILogger logger, long runId, string jobId);

        [LoggerMessage(406, LogLevel.Warning, "Job {JobId} scheduled {ScheduledTime} was abandoned by node {Node} (its lease ran out); run again: {Rerun}", EventName = "RunAbandoned")]
        public static partial void RunAbandoned(ILogger logger, string jobId, string scheduledTime, string node, bool rerun);

        [LoggerMessage(407, LogLevel.Error, "Job store still failing at shutdown: {Records} history row(s) and the latest job states were not written: {Message}", EventName = "StoreWritesLost")]
        public static partial void StoreWritesLost(ILogger logger, int records, string message);

        [LoggerMessage(408, LogLevel.Information, "The job store's clock is {OffsetMs} ms from this process's (was {PreviousMs} ms); the scheduler now runs on the store's", EventName = "ClockOffset")]
        public static partial void ClockOffset(ILogger logger, double offsetMs, double previousMs);

        [LoggerMessage(409, LogLevel.Information, "Job {JobId} was {Action} by another process sharing the job store", EventName = "ControlApplied")]
        public static partial void ControlApplied(ILogger logger, string jobId, string action);

        [LoggerMessage(410, LogLevel.Warning, "Could not sync with the job store (the node registry's heartbeat and other processes' pauses and resumes); trying again on the next tick: {Message}", EventName = "SyncFailed")]
        public static partial void SyncFailed(ILogger logger, Exception error, string message);

        [LoggerMessage(411, LogLevel.Warning, "Job {JobId} is defined in the job store but does not run in this process: {Reason}", EventName = "DefinitionNotRun")]
        public static partial void DefinitionNotRun(ILogger logger, string jobId, string reason);
    }
}
