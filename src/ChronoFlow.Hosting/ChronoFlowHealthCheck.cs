using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ChronoFlow.Hosting;

/// <summary>
/// Reports the scheduler's health to <c>Microsoft.Extensions.Diagnostics.HealthChecks</c>: unhealthy (the
/// registration's failure status) when the scheduler is not running, degraded when writes to its job store fail or a
/// job's last run failed or timed out, healthy otherwise.
/// </summary>
/// <remarks>
/// Register it with <c>services.AddHealthChecks().AddCheck&lt;ChronoFlowHealthCheck&gt;("chronoflow")</c>. The result's
/// data carries the mode, the job, running and queued counts, the totals of succeeded, failed, skipped and misfired
/// runs, the last pump (in soft mode, how recently a request moved the scheduler), the next due time and the failing
/// job ids, so a dashboard can show why without another call. The check reads a snapshot and takes no lock a job
/// holds, so it answers even when every job is busy.
/// </remarks>
/// <param name="scheduler">The scheduler to report on.</param>
public sealed class ChronoFlowHealthCheck(JobScheduler scheduler) : IHealthCheck
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var status = scheduler.GetStatus();
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["mode"] = status.Mode.ToString(),
            ["jobs"] = status.JobCount,
            ["running"] = status.RunningCount,
            ["queued"] = status.QueueLength,
            ["succeeded"] = status.SucceededCount,
            ["failed"] = status.FailedCount,
            ["skipped"] = status.SkippedCount,
            ["misfired"] = status.MisfiredCount,
            ["failingJobs"] = status.FailingJobs,
        };
        if (status.LastPump is { } lastPump)
        {
            data["lastPump"] = lastPump.ToString("O", CultureInfo.InvariantCulture);
        }

        if (status.NextDue is { } nextDue)
        {
            data["nextDue"] = nextDue.ToString("O", CultureInfo.InvariantCulture);
        }

        if (status.StoreError is { } storeError)
        {
            data["storeError"] = storeError;
        }

        HealthCheckResult result;
        if (!status.IsRunning)
        {
            result = new HealthCheckResult(context.Registration.FailureStatus, "The ChronoFlow scheduler is not running.", data: data);
        }
        else if (status.StoreError is { } error)
        {
            // Runs that cannot be claimed do not start: the scheduler is up but not doing its work.
            result = HealthCheckResult.Degraded($"The ChronoFlow job store is failing; runs are skipped until it recovers: {error}", data: data);
        }
        else if (status.FailingJobs.Count > 0)
        {
            result = HealthCheckResult.Degraded(
                $"{status.FailingJobs.Count} job(s) failed their last run: {string.Join(", ", status.FailingJobs)}.", data: data);
        }
        else
        {
            result = HealthCheckResult.Healthy($"The ChronoFlow scheduler is running {status.JobCount} job(s) in {status.Mode} mode.", data);
        }

        return Task.FromResult(result);
    }
}
