namespace ChronoFlow;

public sealed partial class JobScheduler
{
    private void OnAttemptStarted(JobRun run, DateTimeOffset started, int attempt)
    {
        var lateness = TimeSpan.FromTicks(Math.Max(0, started.UtcTicks - run.ScheduledTicks));
        if (attempt == 1)
        {
            if (ChronoFlowTelemetry.Running.Enabled)
            {
                ChronoFlowTelemetry.Running.Add(1, new KeyValuePair<string, object?>(TelemetryTags.JobId, run.Job.Id));
            }

            if (ChronoFlowTelemetry.Lateness.Enabled && !run.Manual)
            {
                ChronoFlowTelemetry.Lateness.Record(lateness.TotalSeconds, new KeyValuePair<string, object?>(TelemetryTags.JobId, run.Job.Id));
            }
        }

        Log.RunStarted(_logger, run.Job.Id, new DateTimeOffset(run.ScheduledTicks, TimeSpan.Zero), attempt, lateness.TotalMilliseconds);
        if (_listeners.Length != 0)
        {
            Emit(new JobEvent(JobEventKind.Started, run.Job.Id, run.ScheduledTicks, started) { Attempt = attempt });
        }
    }

    private void OnRetrying(JobRun run, int attempt, Exception failure, TimeSpan delay)
    {
        var scheduled = new DateTimeOffset(run.ScheduledTicks, TimeSpan.Zero);
        Log.RunRetrying(_logger, failure, run.Job.Id, scheduled, attempt, delay.TotalMilliseconds);
        if (_listeners.Length != 0)
        {
            Emit(new JobEvent(JobEventKind.Retrying, run.Job.Id, run.ScheduledTicks, _time.GetUtcNow())
            {
                Attempt = attempt,
                Exception = failure,
                RetryDelay = delay,
            });
        }
    }

    private void ReportOutcome(JobRun run, JobOutcome outcome, Exception? error, int attempt, TimeSpan duration, DateTimeOffset now)
    {
        var id = run.Job.Id;
        var scheduled = new DateTimeOffset(run.ScheduledTicks, TimeSpan.Zero);
        switch (outcome)
        {
            case JobOutcome.Succeeded:
                Log.RunSucceeded(_logger, id, scheduled, duration.TotalMilliseconds, attempt);
                break;
            case JobOutcome.TimedOut:
                Log.RunTimedOut(_logger, id, scheduled, run.Options.Timeout.GetValueOrDefault().TotalMilliseconds, duration.TotalMilliseconds, attempt);
                break;
            case JobOutcome.Cancelled:
                Log.RunCancelled(_logger, id, scheduled, duration.TotalMilliseconds, attempt);
                break;
            default:
                Log.RunFailed(_logger, error!, id, scheduled, duration.TotalMilliseconds, attempt);
                break;
        }

        if (attempt > 0 && ChronoFlowTelemetry.Running.Enabled)
        {
            ChronoFlowTelemetry.Running.Add(-1, new KeyValuePair<string, object?>(TelemetryTags.JobId, id));
        }

        var tag = OutcomeTag(outcome);
        if (ChronoFlowTelemetry.Runs.Enabled)
        {
            ChronoFlowTelemetry.Runs.Add(1, new(TelemetryTags.JobId, id), new(TelemetryTags.Outcome, tag));
        }

        if (ChronoFlowTelemetry.Duration.Enabled)
        {
            ChronoFlowTelemetry.Duration.Record(duration.TotalSeconds, new(TelemetryTags.JobId, id), new(TelemetryTags.Outcome, tag));
        }

        if (_listeners.Length != 0)
        {
            var kind = outcome switch
            {
                JobOutcome.Succeeded => JobEventKind.Succeeded,
                JobOutcome.TimedOut => JobEventKind.TimedOut,
                JobOutcome.Cancelled => JobEventKind.Cancelled,
                _ => JobEventKind.Failed,
            };
            Emit(new JobEvent(kind, id, run.ScheduledTicks, now) { Attempt = attempt, Duration = duration, Exception = error });
        }
    }

    /// <summary>Counts, logs and reports runs that were due but did not start.</summary>
    private void RecordSkippedLocked(JobEntry job, long scheduledTicks, SkipReason reason, long count, long now)
    {
        if (count <= 0)
        {
            return;
        }

        var s = job.GetStats();
        if (reason == SkipReason.QueueFull)
        {
            s.RejectedCount += count;
        }
        else
        {
            s.SkipCount += count;
        }

        _skipped += count;
        Log.RunSkipped(_logger, job.Id, new DateTimeOffset(scheduledTicks, TimeSpan.Zero), reason);
        var tag = reason == SkipReason.QueueFull ? TelemetryTags.Rejected : TelemetryTags.Skipped;
        if (ChronoFlowTelemetry.Runs.Enabled)
        {
            ChronoFlowTelemetry.Runs.Add(count, new(TelemetryTags.JobId, job.Id), new(TelemetryTags.Outcome, tag));
        }

        if (_listeners.Length != 0)
        {
            Emit(new JobEvent(JobEventKind.Skipped, job.Id, scheduledTicks, new DateTimeOffset(now, TimeSpan.Zero)) { SkipReason = reason, Count = count });
        }
    }

    /// <summary>Counts, logs and reports occurrences later than the grace period.</summary>
    private void RecordMissedLocked(JobEntry job, long firstScheduledTicks, long count, long now)
    {
        if (count <= 0)
        {
            return;
        }

        job.GetStats().MisfireCount += count;
        _misfired += count;
        var options = job.Options;
        Log.RunsMissed(_logger, job.Id, count, new DateTimeOffset(firstScheduledTicks, TimeSpan.Zero), options.MisfireGracePeriod, options.Misfire);
        if (ChronoFlowTelemetry.Runs.Enabled)
        {
            ChronoFlowTelemetry.Runs.Add(count, new(TelemetryTags.JobId, job.Id), new(TelemetryTags.Outcome, TelemetryTags.Missed));
        }

        if (_listeners.Length != 0)
        {
            Emit(new JobEvent(JobEventKind.Missed, job.Id, firstScheduledTicks, new DateTimeOffset(now, TimeSpan.Zero))
            {
                Count = count,
                SkipReason = options.Misfire == MisfirePolicy.Skip ? SkipReason.Misfired : SkipReason.None,
            });
        }
    }

    private void Emit(in JobEvent e)
    {
        foreach (var listener in _listeners)
        {
            try
            {
                listener.OnEvent(in e);
            }
            catch (Exception ex)
            {
                Log.ListenerFailed(_logger, ex, listener.GetType().FullName ?? listener.GetType().Name);
            }
        }
    }

    private static string OutcomeTag(JobOutcome outcome) => outcome switch
    {
        JobOutcome.Succeeded => TelemetryTags.Succeeded,
        JobOutcome.TimedOut => TelemetryTags.TimedOut,
        JobOutcome.Cancelled => TelemetryTags.Cancelled,
        _ => TelemetryTags.Failed,
    };
}
