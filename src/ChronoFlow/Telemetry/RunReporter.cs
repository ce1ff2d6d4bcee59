using Microsoft.Extensions.Logging;

namespace ChronoFlow;

/// <summary>
/// Tells the world what happened to runs: one log line, the <c>ChronoFlow</c> meter's instruments, and the
/// <see cref="IJobEventListener"/>s. The scheduler calls it after it releases its lock, so that a slow logger or
/// listener never holds up dispatch; the runner calls it between attempts.
/// </summary>
/// <threadsafety>Safe to call from any thread; listeners are called on the caller's thread.</threadsafety>
internal sealed class RunReporter(ILogger logger, IJobEventListener[] listeners, TimeProvider time)
{
    public void AttemptStarted(string jobId, long scheduledTicks, bool manual, DateTimeOffset started, int attempt)
    {
        var lateness = TimeSpan.FromTicks(Math.Max(0, started.UtcTicks - scheduledTicks));
        if (attempt == 1)
        {
            if (ChronoFlowTelemetry.Running.Enabled)
            {
                ChronoFlowTelemetry.Running.Add(1, new KeyValuePair<string, object?>(TelemetryTags.JobId, jobId));
            }

            if (ChronoFlowTelemetry.Lateness.Enabled && !manual)
            {
                ChronoFlowTelemetry.Lateness.Record(lateness.TotalSeconds, new KeyValuePair<string, object?>(TelemetryTags.JobId, jobId));
            }
        }

        Log.RunStarted(logger, jobId, Instant(scheduledTicks), attempt, lateness.TotalMilliseconds);
        if (listeners.Length != 0)
        {
            Emit(new JobEvent(JobEventKind.Started, jobId, scheduledTicks, started) { Attempt = attempt });
        }
    }

    public void Retrying(string jobId, long scheduledTicks, int attempt, Exception failure, TimeSpan delay)
    {
        Log.RunRetrying(logger, failure, jobId, Instant(scheduledTicks), attempt, delay.TotalMilliseconds);
        if (listeners.Length != 0)
        {
            Emit(new JobEvent(JobEventKind.Retrying, jobId, scheduledTicks, time.GetUtcNow())
            {
                Attempt = attempt,
                Exception = failure,
                RetryDelay = delay,
            });
        }
    }

    public void ShouldRetryFailed(string jobId, Exception exception) => Log.ShouldRetryFailed(logger, exception, jobId);

    public void RunEnded(string jobId, long scheduledTicks, JobOutcome outcome, Exception? error, int attempt, TimeSpan duration, TimeSpan? timeout, DateTimeOffset now)
    {
        var scheduled = Instant(scheduledTicks);
        switch (outcome)
        {
            case JobOutcome.Succeeded:
                Log.RunSucceeded(logger, jobId, scheduled, duration.TotalMilliseconds, attempt);
                break;
            case JobOutcome.TimedOut:
                Log.RunTimedOut(logger, jobId, scheduled, timeout.GetValueOrDefault().TotalMilliseconds, duration.TotalMilliseconds, attempt);
                break;
            case JobOutcome.Cancelled:
                Log.RunCancelled(logger, jobId, scheduled, duration.TotalMilliseconds, attempt);
                break;
            default:
                Log.RunFailed(logger, error!, jobId, scheduled, duration.TotalMilliseconds, attempt);
                break;
        }

        if (attempt > 0 && ChronoFlowTelemetry.Running.Enabled)
        {
            ChronoFlowTelemetry.Running.Add(-1, new KeyValuePair<string, object?>(TelemetryTags.JobId, jobId));
        }

        var tag = TelemetryTags.Of(outcome);
        if (ChronoFlowTelemetry.Runs.Enabled)
        {
            ChronoFlowTelemetry.Runs.Add(1, new(TelemetryTags.JobId, jobId), new(TelemetryTags.Outcome, tag));
        }

        if (ChronoFlowTelemetry.Duration.Enabled)
        {
            ChronoFlowTelemetry.Duration.Record(duration.TotalSeconds, new(TelemetryTags.JobId, jobId), new(TelemetryTags.Outcome, tag));
        }

        if (listeners.Length != 0)
        {
            var kind = outcome switch
            {
                JobOutcome.Succeeded => JobEventKind.Succeeded,
                JobOutcome.TimedOut => JobEventKind.TimedOut,
                JobOutcome.Cancelled => JobEventKind.Cancelled,
                _ => JobEventKind.Failed,
            };
            Emit(new JobEvent(kind, jobId, scheduledTicks, now) { Attempt = attempt, Duration = duration, Exception = error });
        }
    }

    /// <summary>Reports the notices collected under the scheduler's lock, in order. Call it without holding that lock.</summary>
    public void Report(in InlineList<RunNotice> notices)
    {
        foreach (var notice in notices)
        {
            Report(in notice);
        }
    }

    /// <summary>Reports a notice collected under the scheduler's lock: runs that were due but did not start.</summary>
    public void Report(in RunNotice notice)
    {
        if (notice.Kind == RunNoticeKind.Missed)
        {
            Missed(notice);
        }
        else
        {
            Skipped(notice);
        }
    }

    private void Skipped(in RunNotice n)
    {
        if (n.Reason == SkipReason.Coalesced)
        {
            // Normal operation under RunOnce, not a fault: worth a debug line, not a warning.
            Log.RunsCoalesced(logger, n.JobId, n.Count, Instant(n.ScheduledTicks));
        }
        else
        {
            Log.RunSkipped(logger, n.JobId, Instant(n.ScheduledTicks), n.Reason);
        }

        var tag = n.Reason switch
        {
            SkipReason.QueueFull => TelemetryTags.Rejected,
            SkipReason.Coalesced => TelemetryTags.Coalesced,
            _ => TelemetryTags.Skipped,
        };
        if (ChronoFlowTelemetry.Runs.Enabled)
        {
            ChronoFlowTelemetry.Runs.Add(n.Count, new(TelemetryTags.JobId, n.JobId), new(TelemetryTags.Outcome, tag));
        }

        if (listeners.Length != 0)
        {
            Emit(new JobEvent(JobEventKind.Skipped, n.JobId, n.ScheduledTicks, Instant(n.NowTicks)) { SkipReason = n.Reason, Count = n.Count });
        }
    }

    private void Missed(in RunNotice n)
    {
        Log.RunsMissed(logger, n.JobId, n.Count, Instant(n.ScheduledTicks), n.GracePeriod, n.Policy);
        if (ChronoFlowTelemetry.Runs.Enabled)
        {
            ChronoFlowTelemetry.Runs.Add(n.Count, new(TelemetryTags.JobId, n.JobId), new(TelemetryTags.Outcome, TelemetryTags.Missed));
        }

        if (listeners.Length != 0)
        {
            Emit(new JobEvent(JobEventKind.Missed, n.JobId, n.ScheduledTicks, Instant(n.NowTicks))
            {
                Count = n.Count,
                SkipReason = n.Policy == MisfirePolicy.Skip ? SkipReason.Misfired : SkipReason.None,
            });
        }
    }

    private void Emit(in JobEvent e)
    {
        foreach (var listener in listeners)
        {
            try
            {
                listener.OnEvent(in e);
            }
            catch (Exception ex)
            {
                Log.ListenerFailed(logger, ex, listener.GetType().FullName ?? listener.GetType().Name);
            }
        }
    }

    private static DateTimeOffset Instant(long ticks) => new(ticks, TimeSpan.Zero);
}

/// <summary>What kind of thing a <see cref="RunNotice"/> reports.</summary>
internal enum RunNoticeKind : byte
{
    /// <summary>Runs that did not start: busy, queue full, lock held, shutdown, coalesced.</summary>
    Skipped,

    /// <summary>Occurrences later than the grace period.</summary>
    Missed,
}

/// <summary>
/// Something to report about runs that did not start, collected while the scheduler holds its lock and reported by
/// <see cref="RunReporter.Report(in RunNotice)"/> once it has let go.
/// </summary>
internal readonly record struct RunNotice(
    RunNoticeKind Kind,
    string JobId,
    long ScheduledTicks,
    long Count,
    SkipReason Reason,
    long NowTicks,
    TimeSpan GracePeriod = default,
    MisfirePolicy Policy = default);
