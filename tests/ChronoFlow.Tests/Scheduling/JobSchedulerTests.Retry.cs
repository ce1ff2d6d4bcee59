using ChronoFlow.Testing;

namespace ChronoFlow.Tests.Scheduling;

public partial class JobSchedulerTests
{
    [Fact]
    public async Task Run_FailsTwiceWithRetries_RetriesWithExponentialBackoffOnTheClock()
    {
        await using var s = Soft();
        var attempts = new List<int>();
        s.AddOrUpdate("flaky", Schedule.Every(TimeSpan.FromHours(1)), (ctx, _) =>
        {
            lock (attempts)
            {
                attempts.Add(ctx.Attempt);
            }

            return ctx.Attempt < 3 ? throw new IOException("try again") : default;
        }, new JobOptions { Retry = new RetryPolicy { MaxAttempts = 5, BaseDelay = TimeSpan.FromSeconds(2), Jitter = 0 } });

        _clock.Advance(TimeSpan.FromHours(1));
        var timers = _clock.TimersCreated;
        s.Pump();
        var first = await _events.WaitAsync(e => e.Kind == JobEventKind.Retrying && e.Attempt == 1);
        Assert.Equal(TimeSpan.FromSeconds(2), first.RetryDelay);
        await WhenArmedAsync(timers);
        _clock.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Equal(1, _events.Count(JobEventKind.Started));
        timers = _clock.TimersCreated;
        _clock.Advance(TimeSpan.FromSeconds(0.1));
        var second = await _events.WaitAsync(e => e.Kind == JobEventKind.Retrying && e.Attempt == 2);
        Assert.Equal(TimeSpan.FromSeconds(4), second.RetryDelay);
        await WhenArmedAsync(timers);
        _clock.Advance(TimeSpan.FromSeconds(4));
        await s.IdleAsync();

        Assert.Equal([1, 2, 3], attempts);
        var job = s.GetJob("flaky")!;
        Assert.Equal(JobOutcome.Succeeded, job.LastOutcome);
        Assert.Equal(2, job.RetryCount);
        Assert.Equal(TimeSpan.FromSeconds(6), job.LastDuration);
        Assert.IsType<IOException>(second.Exception);
    }

    [Fact]
    public async Task Run_ExceptionNotRetryable_FailsAfterOneAttempt()
    {
        await using var s = Soft();
        var calls = 0;
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromHours(1)), (_, _) =>
        {
            Interlocked.Increment(ref calls);
            throw new ArgumentException("bad input");
        }, new JobOptions { Retry = new RetryPolicy { MaxAttempts = 3, ShouldRetry = a => a.Exception is IOException } });

        _clock.Advance(TimeSpan.FromHours(1));
        await s.PumpAndWaitAsync();

        Assert.Equal(1, calls);
        Assert.Equal(JobOutcome.Failed, s.GetJob("a")!.LastOutcome);
        Assert.Equal(0, _events.Count(JobEventKind.Retrying));
    }

    [Fact]
    public async Task Run_AlwaysFails_StopsAfterMaxAttempts()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromHours(1)), (_, _) => throw new IOException("down"),
            new JobOptions { Retry = new RetryPolicy { MaxAttempts = 2, BaseDelay = TimeSpan.FromSeconds(1), Jitter = 0 } });

        _clock.Advance(TimeSpan.FromHours(1));
        var timers = _clock.TimersCreated;
        s.Pump();
        await _events.WaitAsync(e => e.Kind == JobEventKind.Retrying);
        await WhenArmedAsync(timers);
        _clock.Advance(TimeSpan.FromSeconds(1));
        await s.IdleAsync();

        var job = s.GetJob("a")!;
        Assert.Equal(1, job.FailureCount);
        Assert.Equal(1, job.RetryCount);
        Assert.Equal(2, _events.Count(JobEventKind.Started));
        Assert.Equal(1, _events.Count(JobEventKind.Failed));
    }

    [Fact]
    public async Task Run_TimeoutWithRetry_RetriesTheTimedOutAttempt()
    {
        await using var s = Soft();
        s.AddOrUpdate("a", Schedule.Every(TimeSpan.FromHours(1)), async (ctx, ct) =>
        {
            if (ctx.Attempt == 1)
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
        }, new JobOptions { Timeout = TimeSpan.FromSeconds(5), Retry = new RetryPolicy { MaxAttempts = 2, BaseDelay = TimeSpan.FromSeconds(1), Jitter = 0 } });

        _clock.Advance(TimeSpan.FromHours(1));
        var timers = _clock.TimersCreated;
        s.Pump();
        await _events.WaitAsync(e => e.Kind == JobEventKind.Started);
        await WhenArmedAsync(timers); // the attempt's timeout
        timers = _clock.TimersCreated;
        _clock.Advance(TimeSpan.FromSeconds(5));
        var retry = await _events.WaitAsync(e => e.Kind == JobEventKind.Retrying);
        Assert.IsType<TimeoutException>(retry.Exception);
        await WhenArmedAsync(timers); // the back-off
        _clock.Advance(TimeSpan.FromSeconds(1));
        await s.IdleAsync();

        Assert.Equal(JobOutcome.Succeeded, s.GetJob("a")!.LastOutcome);
    }

    /// <summary>
    /// Waits until the timer the clock must fire next is armed. The runner reports an attempt's start, or a retry,
    /// just before it arms the attempt's timeout, or the back-off: advancing the clock in between would fire nothing,
    /// and the run would wait for ever (this test failed that way once in a full run).
    /// </summary>
    private Task WhenArmedAsync(int timersBefore) => _clock.WhenTimersCreatedAsync(timersBefore + 1).WaitAsync(TimeSpan.FromSeconds(30));
}
