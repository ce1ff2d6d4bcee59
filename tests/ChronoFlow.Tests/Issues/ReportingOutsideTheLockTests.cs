using ChronoFlow.Testing;
using Microsoft.Extensions.Logging;

namespace ChronoFlow.Tests.Issues;

/// <summary>
/// Listener callbacks and log calls of the skipped and missed paths ran while the scheduler's lock was held, so a
/// listener that asked another thread for the job's state waited on a lock its own thread held; and a throwing
/// <see cref="RetryPolicy.ShouldRetry"/> was logged as a listener failure.
/// </summary>
public sealed class ReportingOutsideTheLockTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public async Task SkippedEvent_ListenerReadsTheJobFromAnotherThread_DoesNotWaitOnTheLock()
    {
        JobScheduler? scheduler = null;
        var readInTime = new List<bool>();
        var listener = new DelegateListener(e =>
        {
            if (e.Kind is JobEventKind.Skipped or JobEventKind.Missed)
            {
                // Under the lock this read would block until the timeout.
                var read = Task.Run(() => scheduler!.GetJob(e.JobId));
                lock (readInTime)
                {
                    readInTime.Add(read.Wait(TimeSpan.FromSeconds(10)));
                }
            }
        });
        var gate = new Gate();
        await using var s = SchedulerTestExtensions.CreateSoft(_clock, configure: o => o.EventListeners.Add(listener));
        scheduler = s;
        s.AddOrUpdate("busy", Schedule.Every(TimeSpan.FromMinutes(1)), gate.Action, new JobOptions { Misfire = MisfirePolicy.Skip });

        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        await gate.WaitEnteredAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump(); // busy: skipped
        _clock.Advance(TimeSpan.FromMinutes(10));
        gate.Release();
        await s.IdleAsync();
        s.Pump(); // late: missed
        await s.IdleAsync();

        Assert.True(readInTime.Count >= 2, $"{readInTime.Count} skip or miss events");
        Assert.All(readInTime, Assert.True);
    }

    [Fact]
    public async Task ShouldRetryThrows_IsLoggedAsSuchAndTheRunIsNotRetried()
    {
        var logs = new CapturingLoggerFactory();
        await using var s = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft }, _clock, logs);
        var attempts = 0;
        s.AddOrUpdate("j", Schedule.Every(TimeSpan.FromMinutes(1)), (_, _) =>
        {
            attempts++;
            throw new InvalidOperationException("job failed");
        }, new JobOptions { Retry = new RetryPolicy { MaxAttempts = 3, ShouldRetry = _ => throw new FormatException("predicate failed") } });

        s.Trigger("j");
        await s.IdleAsync();

        Assert.Equal(1, attempts);
        var entry = Assert.Single(logs.Entries, e => e.EventId.Name == "ShouldRetryFailed");
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.IsType<FormatException>(entry.Exception);
        Assert.DoesNotContain(logs.Entries, e => e.EventId.Name == "ListenerFailed");
    }

    [Fact]
    public void RetryPolicy_NewAndNone_Agree() => Assert.Equal(RetryPolicy.None.MaxAttempts, new RetryPolicy().MaxAttempts);

    private sealed class DelegateListener(Action<JobEvent> onEvent) : IJobEventListener
    {
        public void OnEvent(in JobEvent jobEvent) => onEvent(jobEvent);
    }
}
