using ChronoFlow.Testing;

namespace ChronoFlow.Tests.Issues;

/// <summary>
/// The Succeeded/Failed event (and the SUCCESS/FAILURE log line) used to fire before the job's counts were updated,
/// so a listener that read <see cref="JobScheduler.GetJob(string)"/> saw the previous run's state.
/// </summary>
public sealed class OutcomeEventSeesTheRunCountedTests
{
    [Fact]
    public async Task OutcomeEvent_ListenerReadsTheJob_SeesThisRunCounted()
    {
        var clock = new TestClock();
        var seen = new List<(JobEventKind Kind, long Runs, long Successes, long Failures, JobOutcome? Last)>();
        JobScheduler? scheduler = null;
        var listener = new DelegateListener(e =>
        {
            if (e.Kind is JobEventKind.Succeeded or JobEventKind.Failed)
            {
                var job = scheduler!.GetJob(e.JobId)!;
                lock (seen)
                {
                    seen.Add((e.Kind, job.RunCount, job.SuccessCount, job.FailureCount, job.LastOutcome));
                }
            }
        });
        await using var s = SchedulerTestExtensions.CreateSoft(clock, configure: o => o.EventListeners.Add(listener));
        scheduler = s;
        var fail = false;
        s.AddOrUpdate("j", Schedule.Every(TimeSpan.FromMinutes(1)), (_, _) => fail ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask);

        s.Trigger("j");
        await s.IdleAsync();
        fail = true;
        s.Trigger("j");
        await s.IdleAsync();

        Assert.Equal(
            [(JobEventKind.Succeeded, 1L, 1L, 0L, JobOutcome.Succeeded), (JobEventKind.Failed, 2L, 1L, 1L, JobOutcome.Failed)],
            seen);
    }

    private sealed class DelegateListener(Action<JobEvent> onEvent) : IJobEventListener
    {
        public void OnEvent(in JobEvent jobEvent) => onEvent(jobEvent);
    }
}
