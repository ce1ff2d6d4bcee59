using System.Diagnostics;

namespace ChronoFlow;

/// <summary>
/// Runs one admitted run to its end: takes its lock, calls the job with its timeout, retries with backoff, and captures
/// every error. It never throws and knows nothing of queues or timelines; attempts and retries are told to the
/// <see cref="RunReporter"/> as they happen, and the run is traced as one activity. The end of the run is for the
/// scheduler to count and report.
/// </summary>
/// <threadsafety>Safe to use from many threads at once; each call keeps its state on its own stack.</threadsafety>
internal sealed class JobRunner(TimeProvider time, IJobLockProvider locks, RunReporter reporter, CancellationToken shutdown)
{
    public async ValueTask<RunResult> RunAsync(JobRun run)
    {
        // The run's own token when it has one (a store's run, revoked when its lease is lost); else the shutdown's.
        var stopping = run.Revoked?.Token ?? shutdown;
        var options = run.Options;
        var outcome = JobOutcome.Succeeded;
        Exception? error = null;
        string? output = null;
        var attempt = 0;
        var firstStart = -1L;
        long startTimestamp = 0;
        IAsyncDisposable? lease = null;
        Activity? activity = null;
        try
        {
            if (options.LockKey is { } key)
            {
                lease = await locks.TryAcquireAsync(key, stopping).ConfigureAwait(false);
                if (lease is null)
                {
                    return new RunResult(JobOutcome.Succeeded, null, 0, -1, TimeSpan.Zero, LockHeld: true);
                }
            }

            activity = ChronoFlowTelemetry.ActivitySource.StartActivity(ChronoFlowTelemetry.RunActivityName, ActivityKind.Internal);
            if (activity is not null)
            {
                activity.DisplayName = "chronoflow.job.run " + run.JobId;
                activity.SetTag(TelemetryTags.JobId, run.JobId);
                activity.SetTag(TelemetryTags.ScheduledTime, run.ScheduledTime);
            }

            startTimestamp = time.GetTimestamp();
            while (true)
            {
                attempt++;
                var started = time.GetUtcNow();
                if (firstStart < 0)
                {
                    firstStart = started.UtcTicks;
                }

                reporter.AttemptStarted(run.JobId, run.ScheduledTicks, run.Manual, started, attempt);
                (outcome, error, output) = await AttemptAsync(run, started, attempt, stopping).ConfigureAwait(false);
                if (outcome == JobOutcome.Succeeded || outcome == JobOutcome.Cancelled || attempt >= options.Retry.MaxAttempts)
                {
                    break;
                }

                var failure = outcome == JobOutcome.TimedOut ? new TimeoutException($"Job '{run.JobId}' timed out after {options.Timeout}.") : error!;
                if (options.Retry.ShouldRetry is { } shouldRetry && !SafeShouldRetry(run, shouldRetry, new RetryPredicateArguments(run.JobId, run.ScheduledTime, attempt, failure)))
                {
                    break;
                }

                var delay = options.Retry.GetDelay(attempt, Random.Shared.NextDouble());
                reporter.Retrying(run.JobId, run.ScheduledTicks, attempt, failure, delay);
                try
                {
                    await Task.Delay(delay, time, stopping).ConfigureAwait(false);
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
                activity.SetTag(TelemetryTags.Outcome, TelemetryTags.Of(outcome));
                if (outcome != JobOutcome.Succeeded)
                {
                    activity.SetStatus(ActivityStatusCode.Error, error?.Message ?? TelemetryTags.Of(outcome));
                }

                activity.Dispose();
            }
        }

        var duration = startTimestamp == 0 ? TimeSpan.Zero : time.GetElapsedTime(startTimestamp);
        return new RunResult(outcome, error, attempt, firstStart, duration, LockHeld: false, output);
    }

    private async ValueTask<(JobOutcome Outcome, Exception? Error, string? Output)> AttemptAsync(JobRun run, DateTimeOffset started, int attempt, CancellationToken stopping)
    {
        var options = run.Options;
        var context = new JobContext(run.JobId, options.Description, run.ScheduledTime, started, attempt, run.Manual, run.ClaimId);
        if (options.Timeout is not { } timeout || timeout == Timeout.InfiniteTimeSpan)
        {
            // The common case allocates no token source: the shutdown token is the run's token.
            try
            {
                await run.Action(context, stopping).ConfigureAwait(false);
                return (JobOutcome.Succeeded, null, context.Output);
            }
            catch (Exception ex)
            {
                return (stopping.IsCancellationRequested && ex is OperationCanceledException ? JobOutcome.Cancelled : JobOutcome.Failed, ex, context.Output);
            }
        }

        // The timeout runs on the scheduler's clock, so a FakeTimeProvider drives it in tests.
        using var cts = new CancellationTokenSource(timeout, time);
        using var link = stopping.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), cts);
        Exception? error = null;
        try
        {
            await run.Action(context, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        if (stopping.IsCancellationRequested && (error is OperationCanceledException || cts.IsCancellationRequested))
        {
            return (JobOutcome.Cancelled, error, context.Output);
        }

        if (cts.IsCancellationRequested)
        {
            return (JobOutcome.TimedOut, error, context.Output);
        }

        return (error is null ? JobOutcome.Succeeded : JobOutcome.Failed, error, context.Output);
    }

    private bool SafeShouldRetry(JobRun run, Func<RetryPredicateArguments, bool> shouldRetry, RetryPredicateArguments arguments)
    {
        try
        {
            return shouldRetry(arguments);
        }
        catch (Exception ex)
        {
            reporter.ShouldRetryFailed(run.JobId, ex);
            return false;
        }
    }
}
