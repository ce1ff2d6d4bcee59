using ChronoFlow.Testing;

namespace ChronoFlow.Tests.Queueing;

/// <summary>A queue written outside the library: last in, first out, to show the scheduler follows the queue's order.</summary>
public sealed class CustomJobQueueTests
{
    private readonly TestClock _clock = new();
    private readonly RunRecorder _runs = new();

    [Fact]
    public async Task Scheduler_WithAUserQueue_StartsRunsInTheQueuesOrder()
    {
        var queue = new StackQueue();
        await using var s = SchedulerTestExtensions.CreateSoft(_clock, configure: o =>
        {
            o.JobQueue = queue;
            o.MaxConcurrentRuns = 1;
        });
        var gate = new Gate();
        s.AddOrUpdate("blocker", Schedule.Once(TestClock.Epoch.AddMinutes(1)), gate.Action);
        s.AddOrUpdate("a", Schedule.Once(TestClock.Epoch.AddMinutes(2)), _runs.Action);
        s.AddOrUpdate("b", Schedule.Once(TestClock.Epoch.AddMinutes(3)), _runs.Action);

        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        await gate.WaitEnteredAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        Assert.Equal(2, queue.Count);
        gate.Release();
        await s.IdleAsync();

        Assert.Equal(["b", "a"], _runs.Runs.Select(r => r.JobId));
    }

    [Fact]
    public async Task Scheduler_QueueHandsBackARunItDidNotAdmit_IgnoresItAndKeepsRunning()
    {
        var queue = new StackQueue();
        await using var s = SchedulerTestExtensions.CreateSoft(_clock, configure: o => o.JobQueue = queue);
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromMinutes(1)), _runs.Action);
        queue.TryEnqueue(new QueuedRun("a", TestClock.Epoch));

        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        await s.IdleAsync();

        var run = Assert.Single(_runs.Runs);
        Assert.Equal(TestClock.Epoch.AddMinutes(1), run.ScheduledTime);
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task StopAsync_WhileARunIsOnItsWayToTheQueue_DropsItAsAShutdownSkipAndStops()
    {
        var queue = new StackQueue();
        var events = new EventRecorder();
        var s = SchedulerTestExtensions.CreateSoft(_clock, events, o =>
        {
            o.JobQueue = queue;
            o.MaxConcurrentRuns = 1;
        });
        var gate = new Gate();
        s.AddOrUpdate("blocker", Schedule.Once(TestClock.Epoch.AddMinutes(1)), gate.Action);
        s.AddOrUpdate("late", Schedule.Once(TestClock.Epoch.AddMinutes(2)), _runs.Action);
        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        await gate.WaitEnteredAsync();

        // The stop begins after the pump admitted "late" and before the queue holds it.
        Task? stop = null;
        queue.BeforeEnqueue = () => stop = s.StopAsync();
        _clock.Advance(TimeSpan.FromMinutes(1));
        s.Pump();
        gate.Release();
        await stop!.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(_runs.Runs);
        Assert.Equal(0, queue.Count);
        var skipped = Assert.Single(events.Events, e => e.Kind == JobEventKind.Skipped);
        Assert.Equal(("late", SkipReason.Shutdown), (skipped.JobId, skipped.SkipReason));
    }

    private sealed class StackQueue : IJobQueue
    {
        private readonly Stack<QueuedRun> _stack = new();

        public Action? BeforeEnqueue { get; set; }

        public int Count
        {
            get
            {
                lock (_stack)
                {
                    return _stack.Count;
                }
            }
        }

        public bool TryEnqueue(QueuedRun run)
        {
            var hook = BeforeEnqueue;
            BeforeEnqueue = null;
            hook?.Invoke();
            lock (_stack)
            {
                _stack.Push(run);
                return true;
            }
        }

        public bool TryDequeue(out QueuedRun run)
        {
            lock (_stack)
            {
                return _stack.TryPop(out run);
            }
        }
    }
}
