namespace ChronoFlow.Tests.Scheduling;

/// <summary>Hard mode on the real system clock: short, and waiting on events with generous limits, never on sleeps.</summary>
[Trait("Category", "Integration")]
public class JobSchedulerIntegrationTests
{
    [Fact]
    public async Task HardMode_SystemClock_StartsEachOfManyShortNoticeRuns()
    {
        await using var s = new JobScheduler();
        await s.StartAsync();
        for (var i = 0; i < 300; i++)
        {
            var started = new TaskCompletionSource<JobContext>(TaskCreationOptions.RunContinuationsAsynchronously);
            s.AddOrUpdate("short-notice", Schedule.Once(TimeProvider.System.GetUtcNow().AddMilliseconds(2)), (ctx, _) =>
            {
                started.TrySetResult(ctx);
                return default;
            });

            var context = await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(context.StartedTime >= context.ScheduledTime, $"run {i} started before it was due");

            // The run must have ended before the next registration, or that one would find the job busy and skip.
            await s.WaitForIdleAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.Equal(300, s.GetJob("short-notice")!.SuccessCount);
        Assert.Equal(0, s.GetJob("short-notice")!.SkipCount);
    }
}
