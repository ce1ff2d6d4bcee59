namespace ChronoFlow;

public sealed partial class JobScheduler
{
    /// <summary>
    /// Adds a job, or replaces the job with the same id while keeping its history (counts, last run) and, when the
    /// schedule means the same, its next run.
    /// </summary>
    /// <param name="jobId">The job id: unique, not blank. It also seeds <c>H</c> in a cron schedule and interval jitter.</param>
    /// <param name="schedule">When the job runs.</param>
    /// <param name="action">
    /// What a run does. It receives the run's <see cref="JobContext"/> and a token cancelled on timeout and on shutdown.
    /// </param>
    /// <param name="options">How the job runs; <see langword="null"/> means the defaults of <see cref="JobOptions"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is blank, or an option is out of range (the message names the job and the option).</exception>
    /// <exception cref="ArgumentNullException"><paramref name="schedule"/> or <paramref name="action"/> is <see langword="null"/>.</exception>
    /// <exception cref="ObjectDisposedException">The scheduler has stopped.</exception>
    /// <remarks>Runs in flight finish with the action and options they started with.</remarks>
    public void AddOrUpdate(string jobId, Schedule schedule, Func<JobContext, CancellationToken, ValueTask> action, JobOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(action);
        // A copy, validated once: later changes to the caller's instance cannot reach the running job.
        options = options is null ? JobOptions.Default : options.Clone();
        options.ThrowIfInvalid(jobId);

        var now = _time.GetUtcNow().UtcTicks;

        // An interval without an anchor counts from its registration; with a store, which other processes may share,
        // from the Unix epoch instead, so that every process computes the same occurrences and claims the same ones.
        var bound = schedule.Bind(jobId, _store is null ? now : DateTimeOffset.UnixEpoch.UtcTicks);
        var storeKey = _store is null ? null : schedule.Identity;
        bool added;
        long cursor;
        string? storedSchedule = null;
        JobEntry? entry;
        lock (_gate)
        {
            ThrowIfStopped();
            if (_jobs.TryGetValue(jobId, out var job))
            {
                added = false;
                var keep = job.Schedule.SameAs(bound) || job.Schedule.SameAs(schedule);
                job.StoreKey = storeKey;
                MarkDirtyLocked(job);
                if (!keep)
                {
                    job.Schedule = bound;
                    job.Cursor = bound.First(now);
                    SetDividedLocked(job, now);
                }
                else if (bound.Kind != ScheduleKind.Interval)
                {
                    // Same meaning: keep the next run, take the new text. An interval keeps its original anchor.
                    job.Schedule = bound;
                }

                job.Action = action;
                job.Options = options;
                RequeueLocked(job, now);
            }
            else
            {
                added = true;
                job = new JobEntry(jobId, bound, action, options) { Cursor = bound.First(now), StoreKey = storeKey };
                _jobs.Add(jobId, job);
                SetDividedLocked(job, now);
                if (options.Enabled)
                {
                    InsertLocked(job, now);
                }

                if (_store is not null && _storeReady)
                {
                    storedSchedule = RestoreLocked(job, now);
                }
            }

            cursor = job.Cursor;
            entry = job;
        }

        if (storedSchedule is not null)
        {
            LogScheduleChanged(entry, storedSchedule);
        }

        if (_logger.IsEnabled(Microsoft.Extensions.Logging.LogLevel.Information))
        {
            if (added)
            {
                SchedulerLog.JobAdded(_logger, jobId, bound.ToString(), LogTime(cursor));
            }
            else
            {
                SchedulerLog.JobUpdated(_logger, jobId, bound.ToString(), LogTime(cursor));
            }
        }
    }

    /// <summary>Adds or replaces a job whose runs call <paramref name="job"/>.</summary>
    /// <param name="jobId">The job id.</param>
    /// <param name="schedule">When the job runs.</param>
    /// <param name="job">The job; shared by all its runs.</param>
    /// <param name="options">How the job runs; <see langword="null"/> means the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="job"/> is <see langword="null"/>.</exception>
    /// <inheritdoc cref="AddOrUpdate(string, Schedule, Func{JobContext, CancellationToken, ValueTask}, JobOptions?)" path="/exception"/>
    public void AddOrUpdate(string jobId, Schedule schedule, IJob job, JobOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(job);
        AddOrUpdate(jobId, schedule, job.ExecuteAsync, options);
    }

    /// <summary>
    /// Removes a job. Its runs in flight finish; it is not scheduled again. With a store shared by several processes,
    /// the removal acts on all of them (each applies it at its next sync with the store), and a definition stored for
    /// the job (<see cref="Define(string, string)"/>) is deleted. To remove a job from this process only, use
    /// <see cref="Unregister(string)"/>.
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <returns><see langword="true"/> when the job was registered here or defined in the store.</returns>
    /// <remarks>
    /// The job's state and history stay in the store. A process that registers the job again (its code adds it at its
    /// next start, or someone defines it again) brings it back, with its state.
    /// </remarks>
    public bool Remove(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var removed = RemoveCore(jobId);
        lock (_gate)
        {
            removed |= _definitions.Remove(jobId);
            QueueControlLocked(new JobControl(jobId, JobControlKind.Remove));
        }

        return removed;
    }

    /// <summary>
    /// Removes a job from this process only: its runs in flight finish and it is not scheduled here again, while other
    /// processes sharing the store keep running it. A job source uses this for a definition that no longer loads here.
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <returns><see langword="true"/> when the job existed here.</returns>
    public bool Unregister(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return RemoveCore(jobId);
    }

    /// <summary>
    /// Defines a job as data: <paramref name="definition"/> (the JSON of a job file, for the binder of ChronoFlow.Files)
    /// is kept in the store and runs on every process sharing it that knows its task type, including this one when it
    /// does. Defining it again replaces it everywhere; <see cref="Remove(string)"/> deletes it.
    /// </summary>
    /// <param name="jobId">The job id: not blank, and not the id of a job the application registered in code.</param>
    /// <param name="definition">The definition, read by the <see cref="SchedulerOptions.DefinitionBinder"/>.</param>
    /// <returns><see langword="true"/> when the job runs here too; <see langword="false"/> when this process does not know its task type (the others that do run it).</returns>
    /// <exception cref="ArgumentException"><paramref name="jobId"/> is blank.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="definition"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">No <see cref="SchedulerOptions.DefinitionBinder"/> is set, or the application registered a job with this id in code.</exception>
    /// <exception cref="FormatException">The definition is not valid; the message says what is wrong and where. Nothing is stored.</exception>
    /// <exception cref="ObjectDisposedException">The scheduler has stopped.</exception>
    /// <remarks>
    /// Without a store the job runs in this process only, until it stops. With one, the definition is written with the
    /// next batch, and other processes bind it at their next sync (at once on PostgreSQL, which notifies them).
    /// </remarks>
    public bool Define(string jobId, string definition)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        ArgumentNullException.ThrowIfNull(definition);
        var binder = _options.DefinitionBinder
            ?? throw new InvalidOperationException($"Job '{jobId}' cannot be defined as data: {nameof(SchedulerOptions)}.{nameof(SchedulerOptions.DefinitionBinder)} is not set (the hosting of ChronoFlow.Files sets one).");
        lock (_gate)
        {
            ThrowIfStopped();
            if (_jobs.ContainsKey(jobId) && !_definitions.ContainsKey(jobId))
            {
                throw new InvalidOperationException($"Job '{jobId}' is registered by the application in code; a job defined as data needs an id of its own.");
            }
        }

        var bound = BindDefinition(binder, jobId, definition, fromStore: false);
        lock (_gate)
        {
            QueueControlLocked(new JobControl(jobId, JobControlKind.Define, definition));
        }

        return bound;
    }

    /// <summary>Removes a job from this process; the caller says whether other processes learn of it.</summary>
    private bool RemoveCore(string jobId)
    {
        lock (_gate)
        {
            if (!_jobs.Remove(jobId, out var job))
            {
                return false;
            }

            job.Removed = true;
            job.Parked = false;
            _timeline.Remove(job);
            SetDividedLocked(job, _time.GetUtcNow().UtcTicks);
            if (_stored is not null)
            {
                // Its stored row stays; keep what it says, so that a job added again with this id continues from it.
                _stored[jobId] = StateLocked(job);
            }
        }

        SchedulerLog.JobRemoved(_logger, jobId);
        return true;
    }

    /// <summary>
    /// Pauses a job: it is not scheduled until <see cref="Resume(string)"/>. Runs in flight finish. With a store shared by
    /// several processes, the pause acts on all of them: each applies it at its next sync with the store.
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <returns><see langword="true"/> when the job exists.</returns>
    public bool Pause(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return PauseCore(jobId, fromStore: false);
    }

    /// <summary>
    /// Resumes a paused job from now on. Occurrences that fell while it was paused do not run; they are not misfires,
    /// since pausing asked for exactly that. With a store shared by several processes, the resume acts on all of them.
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <returns><see langword="true"/> when the job exists.</returns>
    public bool Resume(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        return ResumeCore(jobId, fromStore: false);
    }

    /// <summary>Pauses a job; a pause asked for here (not <paramref name="fromStore"/>) goes to the store for the other processes.</summary>
    private bool PauseCore(string jobId, bool fromStore)
    {
        lock (_gate)
        {
            if (!_jobs.TryGetValue(jobId, out var job))
            {
                return false;
            }

            if (!job.Paused)
            {
                job.Paused = true;
                job.Parked = false;
                _timeline.Remove(job);
                MarkDirtyLocked(job);
            }

            if (!fromStore)
            {
                QueueControlLocked(new JobControl(job.Id, job.Paused ? JobControlKind.Pause : JobControlKind.Resume));
            }
        }

        if (fromStore)
        {
            SchedulerLog.ControlApplied(_logger, jobId, "paused");
        }
        else
        {
            SchedulerLog.JobPaused(_logger, jobId);
        }

        return true;
    }

    /// <summary>Resumes a job; a resume asked for here (not <paramref name="fromStore"/>) goes to the store for the other processes.</summary>
    private bool ResumeCore(string jobId, bool fromStore)
    {
        long cursor;
        lock (_gate)
        {
            if (!_jobs.TryGetValue(jobId, out var job))
            {
                return false;
            }

            if (job.Paused)
            {
                job.Paused = false;
                MarkDirtyLocked(job);
                var now = _time.GetUtcNow().UtcTicks;
                if (job.Cursor < now && job.Schedule.Kind != ScheduleKind.Startup)
                {
                    job.Cursor = job.Schedule.Next(now - 1);
                }

                if (job.Options.Enabled)
                {
                    InsertLocked(job, now);
                }
            }

            if (!fromStore)
            {
                QueueControlLocked(new JobControl(job.Id, job.Paused ? JobControlKind.Pause : JobControlKind.Resume));
            }

            cursor = job.Cursor;
        }

        if (fromStore)
        {
            SchedulerLog.ControlApplied(_logger, jobId, "resumed");
        }
        else
        {
            SchedulerLog.JobResumed(_logger, jobId, LogTime(cursor));
        }

        return true;
    }

    /// <summary>
    /// Starts a run of the job now, outside its schedule, with the current time as its scheduled time. Works for paused
    /// and disabled jobs too. It respects <see cref="JobOptions.MaxConcurrency"/>: a busy job skips the run (counted).
    /// </summary>
    /// <param name="jobId">The job id.</param>
    /// <returns><see langword="true"/> when the run started or was queued for a slot.</returns>
    public bool Trigger(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        var admitted = default(InlineList<ScheduledRun>);
        var notices = default(InlineList<RunNotice>);
        long now;
        lock (_gate)
        {
            if (_state >= StateStopping || !_jobs.TryGetValue(jobId, out var job))
            {
                return false;
            }

            now = _time.GetUtcNow().UtcTicks;
            if (job.InFlight >= job.Options.MaxConcurrency)
            {
                RecordSkippedLocked(job, now, SkipReason.Busy, 1, now, ref notices);
            }
            else
            {
                admitted.Add(AdmitLocked(job, now, manual: true));
            }
        }

        _reporter.Report(in notices);
        if (admitted.IsEmpty)
        {
            return false;
        }

        SchedulerLog.JobTriggered(_logger, jobId);
        return Admit(admitted, now) == 1;
    }

    /// <summary>Gets a snapshot of a job.</summary>
    /// <param name="jobId">The job id.</param>
    /// <returns>The snapshot, or <see langword="null"/> when there is no such job.</returns>
    public JobInfo? GetJob(string jobId)
    {
        ArgumentNullException.ThrowIfNull(jobId);
        lock (_gate)
        {
            return _jobs.TryGetValue(jobId, out var job) ? SnapshotLocked(job) : null;
        }
    }

    /// <summary>Gets snapshots of all jobs, ordered by id.</summary>
    /// <returns>The snapshots.</returns>
    public IReadOnlyList<JobInfo> GetJobs()
    {
        JobInfo[] result;
        lock (_gate)
        {
            result = new JobInfo[_jobs.Count];
            var i = 0;
            foreach (var job in _jobs.Values)
            {
                result[i++] = SnapshotLocked(job);
            }
        }

        Array.Sort(result, static (a, b) => string.CompareOrdinal(a.Id, b.Id));
        return result;
    }

    /// <summary>Gets a snapshot of the whole scheduler, for health checks and status lines.</summary>
    /// <returns>The snapshot.</returns>
    public SchedulerStatus GetStatus()
    {
        lock (_gate)
        {
            var failing = new List<string>();
            foreach (var job in _jobs.Values)
            {
                if (job.Stats?.LastOutcome is { } o && o != JobOutcome.Succeeded)
                {
                    failing.Add(job.Id);
                }
            }

            failing.Sort(StringComparer.Ordinal);
            var lastPump = Volatile.Read(ref _lastPumpTicks);
            var nextDue = _timeline.PeekDue();
            return new SchedulerStatus
            {
                Mode = _options.Mode,
                IsRunning = _state == StateStarted || (_options.Mode == SchedulerMode.Soft && _state == StateCreated),
                LastPump = lastPump == 0 ? null : new DateTimeOffset(lastPump, TimeSpan.Zero),
                NextDue = nextDue == Schedule.NoOccurrence ? null : new DateTimeOffset(nextDue, TimeSpan.Zero),
                JobCount = _jobs.Count,
                RunningCount = Volatile.Read(ref _running),
                QueueLength = _queue.Count,
                FailingJobs = failing,
                SucceededCount = _succeeded,
                FailedCount = _failed,
                SkippedCount = _skipped,
                MisfiredCount = _misfired,
                StoreError = _storeError,
            };
        }
    }

    private static JobInfo SnapshotLocked(JobEntry job)
    {
        var s = job.Stats;
        var status = job.Paused ? JobStatus.Paused
            : !job.Options.Enabled ? JobStatus.Disabled
            : job.InFlight > 0 ? JobStatus.Running
            : job.Cursor == Schedule.NoOccurrence && !job.Parked ? JobStatus.Completed
            : JobStatus.Scheduled;
        var scheduled = !job.Paused && job.Options.Enabled && job.Cursor != Schedule.NoOccurrence;
        return new JobInfo
        {
            Id = job.Id,
            Description = job.Options.Description,
            Schedule = job.Schedule,
            Options = job.Options.Clone(),
            Status = status,
            NextRun = scheduled ? new DateTimeOffset(job.Cursor, TimeSpan.Zero) : null,
            LastRun = s is { LastRunTicks: >= 0 } ? new DateTimeOffset(s.LastRunTicks, TimeSpan.Zero) : null,
            LastScheduledTime = s is { LastScheduledTicks: >= 0 } ? new DateTimeOffset(s.LastScheduledTicks, TimeSpan.Zero) : null,
            LastOutcome = s?.LastOutcome,
            LastDuration = s is { LastDurationTicks: >= 0 } ? TimeSpan.FromTicks(s.LastDurationTicks) : null,
            LastError = s?.LastError,
            InFlight = job.InFlight,
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
        };
    }

    private void ThrowIfStopped()
    {
        if (_state >= StateStopping)
        {
            throw new ObjectDisposedException(nameof(JobScheduler), "The scheduler has stopped; create a new one.");
        }
    }
}
