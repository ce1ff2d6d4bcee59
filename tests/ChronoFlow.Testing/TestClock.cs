using Microsoft.Extensions.Time.Testing;

namespace ChronoFlow.Testing;

/// <summary>
/// A FakeTimeProvider whose wall clock can also jump backwards (FakeTimeProvider itself only moves forwards):
/// timers keep running on the underlying fake time, as real timers run on elapsed time. It also counts the timers
/// created on it, so a test can wait until code running on another thread has armed its timer before moving the clock.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    public static readonly DateTimeOffset Epoch = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly List<(int Count, TaskCompletionSource Done)> _timerWaiters = [];
    private int _timersCreated;

    public TestClock()
        : base(Epoch)
    {
    }

    public TimeSpan Skew { get; set; }

    /// <summary>Gets how many timers (including those behind <c>Task.Delay</c> on this clock) have been created.</summary>
    public int TimersCreated => Volatile.Read(ref _timersCreated);

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Skew;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (_timerWaiters)
        {
            var count = ++_timersCreated;
            foreach (var waiter in _timerWaiters.Where(w => w.Count <= count).ToList())
            {
                _timerWaiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }

        return timer;
    }

    /// <summary>Completes once <paramref name="count"/> timers in all have been created, failing after 30 s of real time.</summary>
    public Task WhenTimersCreatedAsync(int count)
    {
        lock (_timerWaiters)
        {
            if (_timersCreated >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _timerWaiters.Add((count, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
