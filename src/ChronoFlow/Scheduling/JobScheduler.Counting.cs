namespace ChronoFlow;

public sealed partial class JobScheduler
{
    private long _succeeded;
    private long _failed;
    private long _skipped;
    private long _misfired;

    /// <summary>Counts a finished run in the job's state and the scheduler's totals.</summary>
    private void RecordOutcomeLocked(JobEntry job, ScheduledRun run, in RunResult result)
    {
        var outcome = result.Outcome;
        var s = job.GetStats();
        s.RunCount++;
        s.LastRunTicks = result.FirstStartTicks;
        s.LastScheduledTicks = run.ScheduledTicks;
        s.LastDurationTicks = result.Duration.Ticks;
        s.LastOutcome = outcome;
        s.LastError = outcome switch
        {
            JobOutcome.Succeeded => null,
            JobOutcome.TimedOut => $"Timed out after {run.Options.Timeout}.",
            JobOutcome.Cancelled when run.Revoked is { IsCancellationRequested: true } && !_stopping.IsCancellationRequested
                => "Cancelled: another process took over its lease in the job store while this one stalled.",
            JobOutcome.Cancelled => "Cancelled by the scheduler's shutdown.",
            _ => result.Error?.Message,
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

        if (result.Attempts > 1)
        {
            s.RetryCount += result.Attempts - 1;
        }
    }

    /// <summary>Counts runs that were due but did not start, and notes them for reporting once the lock is released.</summary>
    /// <remarks>A run that was claimed (<paramref name="claimId"/> not 0) gives up its claim: the skip ends it in history.</remarks>
    private void RecordSkippedLocked(JobEntry job, long scheduledTicks, SkipReason reason, long count, long now, ref InlineList<RunNotice> notices, long claimId = 0)
    {
        if (count <= 0)
        {
            return;
        }

        RecordNotStartedLocked(job, claimId, scheduledTicks, reason, count, now);
        var s = job.GetStats();
        switch (reason)
        {
            case SkipReason.QueueFull:
                s.RejectedCount += count;
                _skipped += count;
                break;
            case SkipReason.Coalesced:
                s.CoalescedCount += count;
                break;
            default:
                s.SkipCount += count;
                _skipped += count;
                break;
        }

        notices.Add(new RunNotice(RunNoticeKind.Skipped, job.Id, scheduledTicks, count, reason, now));
    }

    /// <summary>Counts occurrences later than the grace period, and notes them for reporting once the lock is released.</summary>
    private void RecordMissedLocked(JobEntry job, long firstScheduledTicks, long count, long now, ref InlineList<RunNotice> notices, long claimId = 0)
    {
        if (count <= 0)
        {
            return;
        }

        RecordNotStartedLocked(job, claimId, firstScheduledTicks, SkipReason.Misfired, count, now);
        job.GetStats().MisfireCount += count;
        _misfired += count;
        var options = job.Options;
        notices.Add(new RunNotice(RunNoticeKind.Missed, job.Id, firstScheduledTicks, count, SkipReason.Misfired, now, options.MisfireGracePeriod, options.Misfire));
    }
}
