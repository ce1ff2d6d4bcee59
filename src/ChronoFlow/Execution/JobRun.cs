namespace ChronoFlow;

/// <summary>One run of a job, from admission to its outcome; the thread-pool work item that executes it.</summary>
internal sealed class JobRun(JobScheduler scheduler, JobEntry job, long scheduledTicks, bool manual) : IThreadPoolWorkItem
{
    public readonly JobScheduler Scheduler = scheduler;
    public readonly JobEntry Job = job;
    public readonly long ScheduledTicks = scheduledTicks;
    public readonly bool Manual = manual;

    // Captured at admission: an update of the job does not change a run in flight.
    public readonly Func<JobContext, CancellationToken, ValueTask> Action = job.Action;
    public readonly JobOptions Options = job.Options;

    public void Execute() => _ = Scheduler.ExecuteAsync(this);
}
