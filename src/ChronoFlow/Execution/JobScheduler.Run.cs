using System.Diagnostics;

namespace ChronoFlow;

public sealed partial class JobScheduler
{
    /// <summary>Admits a run: counts it in flight and puts it in the queue, which starts it when a slot is free.</summary>
    private bool StartRunLocked(JobEntry job, long scheduledTicks, bool manual, long now)
    {
        var run = new JobRun(this, job, scheduledTicks, manual);
        if (!_queue.TryEnqueue(new QueuedRun(run)))
        {
            RecordSkippedLocked(job, scheduledTicks, SkipReason.QueueFull, 1, now);
            return false;
        }

        job.InFlight++;
        Interlocked.Increment(ref _inFlight);
        ChronoFlowTelemetry.QueueLength.Add(1);
        DrainQueueLocked(now);
        return true;
    }

    /// <summary>Hands queued runs to the thread pool while there are free slots.</summary>
    private void DrainQueueLocked(long now)
    {
        while (_running < _maxConcurrentRuns && _state < StateStopping && _queue.TryDequeue(out var queued))
        {
            ChronoFlowTelemetry.QueueLength.Add(-1);
            var run = queued.Run;
            var options = run.Options;

            // A run that waited in the queue past its grace period is a misfire like any other.
            if (!run.Manual && options.Misfire == MisfirePolicy.Skip && run.Job.Schedule.Kind != ScheduleKind.Startup
                && now - run.ScheduledTicks > options.MisfireGracePeriod.Ticks)
            {
                run.Job.InFlight--;
                RecordMissedLocked(run.Job, run.ScheduledTicks, 1, now);
                ExitFlightLocked();
                continue;
            }

            _running++;
            ThreadPool.UnsafeQueueUserWorkItem(run, preferLocal: false);
        }
    }

    /// <summary>Runs one admitted run: lock, attempts with timeout and retries, outcome. Never throws.</summary>
    internal async Task ExecuteAsync(JobRun run)
    {
        var job = run.Job;
        var options = run.Options;
        var outcome = JobOutcome.Succeeded;
        Exception? error = null;
        var attempt = 0;
        var firstStart = -1L;
        long startTimestamp = 0;
        IAsyncDisposable? lease = null;
        var skipped = false;
        Activity? activity = null;
        try
        {
            if (options.LockKey is { } key)
            {
                lease = await _locks.TryAcquireAsync(key, _stopping.Token).ConfigureAwait(false);
                if (lease is null)
                {
                    skipped = true;
                    return;
                }
            }

            activity = ChronoFlowTelemetry.ActivitySource.StartActivity(ChronoFlowTelemetry.RunActivityName, ActivityKind.Internal);
            if (activity is not null)
            {
                activity.DisplayName = "chronoflow.job.run " + job.Id;
                activity.SetTag(TelemetryTags.JobId, job.Id);
                activity.SetTag(TelemetryTags.ScheduledTime, new DateTimeOffset(run.ScheduledTicks, TimeSpan.Zero));
            }

            startTimestamp = _time.GetTimestamp();
            while (true)
            {
                attempt++;
                var started = _time.GetUtcNow();
                if (firstStart < 0)
                {
                    firstStart = started.UtcTicks;
                }

                OnAttemptStarted(run, started, attempt);
                (outcome, error) = await AttemptAsync(run, started, attempt).ConfigureAwait(false);
                if (outcome == JobOutcome.Succeeded || outcome == JobOutcome.Cancelled || attempt >= options.Retry.MaxAttempts)
                {
                    break;
                }

                var failure = outcome == JobOutcome.TimedOut ? new TimeoutException($"Job '{job.Id}' timed out after {options.Timeout}.") : error!;
                if (options.Retry.ShouldRetry is { } shouldRetry && !SafeShouldRetry(shouldRetry, failure))
                {
                    break;
                }

                var delay = options.Retry.GetDelay(attempt, Random.Shared.NextDouble());
                OnRetrying(run, attempt, failure, delay);
                try
                {
                    await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    outcome = JobOutcome.Cancelled;
                    break;
                }
            }
        }
        catch (Exception ex)
        {
            // Only the lock provider can get here; the job's own exceptions are caught per attempt.
            outcome = JobOutcome.Failed;
            error = ex;
        }
        finally
        {
            if (lease is not null)
            {
                try
                {
                    await lease.DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (outcome == JobOutcome.Succeeded)
                {
                    outcome = JobOutcome.Failed;
                    error = ex;
                }
            }

            if (activity is not null)
            {
                activity.SetTag(TelemetryTags.Outcome, OutcomeTag(outcome));
                if (outcome != JobOutcome.Succeeded)
                {
                    activity.SetStatus(ActivityStatusCode.Error, error?.Message ?? OutcomeTag(outcome));
                }

                activity.Dispose();
            }

            var duration = startTimestamp == 0 ? TimeSpan.Zero : _time.GetElapsedTime(startTimestamp);
            OnRunEnded(run, skipped, outcome, error, attempt, firstStart, duration);
        }
    }

    private async ValueTask<(JobOutcome Outcome, Exception? Error)> AttemptAsync(JobRun run, DateTimeOffset started, int attempt)
    {
        var options = run.Options;
        var context = new JobContext(run.Job.Id, options.Description, new DateTimeOffset(run.ScheduledTicks, TimeSpan.Zero), started, attempt, run.Manual);
        if (options.Timeout is not { } timeout || timeout == Timeout.InfiniteTimeSpan)
        {
            // The common case allocates no token source: the shutdown token is the run's token.
            try
            {
                await run.Action(context, _stopping.Token).ConfigureAwait(false);
                return (JobOutcome.Succeeded, null);
            }
            catch (Exception ex)
            {
                return (_stopping.IsCancellationRequested && ex is OperationCanceledException ? JobOutcome.Cancelled : JobOutcome.Failed, ex);
            }
        }

        // The timeout runs on the scheduler's clock, so a FakeTimeProvider drives it in tests.
        using var cts = new CancellationTokenSource(timeout, _time);
        using var link = _stopping.Token.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), cts);
        Exception? error = null;
        try
        {
            await run.Action(context, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        if (_stopping.IsCancellationRequested && (error is OperationCanceledException || cts.IsCancellationRequested))
        {
            return (JobOutcome.Cancelled, error);
        }

        if (cts.IsCancellationRequested)
        {
            return (JobOutcome.TimedOut, error);
        }

        return (error is null ? JobOutcome.Succeeded : JobOutcome.Failed, error);
    }

    private bool SafeShouldRetry(Func<Exception, bool> shouldRetry, Exception failure)
    {
        try
        {
            return shouldRetry(failure);
        }
        catch (Exception ex)
        {
            Log.ListenerFailed(_logger, ex, nameof(RetryPolicy.ShouldRetry));
            return false;
        }
    }

    /// <summary>Records the end of a run, frees its slots, and starts what was waiting for them.</summary>
    private void OnRunEnded(JobRun run, bool skipped, JobOutcome outcome, Exception? error, int attempt, long startedTicks, TimeSpan duration)
    {
        var job = run.Job;
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            // Count first, then report (below, outside the lock): a listener or log reader that asks for the job's
            // state sees this run in it. The run stays in flight until reported, so WaitForIdleAsync waits for that.
            if (skipped)
            {
                RecordSkippedLocked(job, run.ScheduledTicks, SkipReason.LockHeld, 1, now.UtcTicks);
            }
            else
            {
                RecordOutcomeLocked(job, run, outcome, error, attempt, startedTicks, duration);
            }

            job.InFlight--;
            _running--;
            if (job.Parked)
            {
                job.Parked = false;
                if (!job.Removed && !job.Paused && job.Options.Enabled && _state < StateStopping)
                {
                    ProcessDueLocked(job, now.UtcTicks);
                }
            }

            DrainQueueLocked(now.UtcTicks);
        }

        if (!skipped)
        {
            ReportOutcome(run, outcome, error, attempt, duration, now);
        }

        ExitFlight();
    }

    /// <summary>Counts a finished run in the job's state and the scheduler's totals.</summary>
    private void RecordOutcomeLocked(JobEntry job, JobRun run, JobOutcome outcome, Exception? error, int attempt, long startedTicks, TimeSpan duration)
    {
        var s = job.GetStats();
        s.RunCount++;
        s.LastRunTicks = startedTicks;
        s.LastScheduledTicks = run.ScheduledTicks;
        s.LastDurationTicks = duration.Ticks;
        s.LastOutcome = outcome;
        s.LastError = outcome switch
        {
            JobOutcome.Succeeded => null,
            JobOutcome.TimedOut => $"Timed out after {run.Options.Timeout}.",
            JobOutcome.Cancelled => "Cancelled by the scheduler's shutdown.",
            _ => error?.Message,
        };
        if (outcome == JobOutcome.Succeeded)
        {
            s.SuccessCount++;
            _succeeded++;
        }
        else
        {
            s.FailureCount++;
            _failed++;
            if (outcome == JobOutcome.TimedOut)
            {
                s.TimeoutCount++;
            }
        }

        if (attempt > 1)
        {
            s.RetryCount += attempt - 1;
        }
    }
}
