namespace ChronoFlow.Tests.Queueing;

public class InMemoryJobQueueTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryDequeue_AcrossTheRingsWrap_GivesRunsFirstInFirstOut()
    {
        var q = new InMemoryJobQueue(3);
        var next = 0;
        var expected = new Queue<QueuedRun>();
        for (var round = 0; round < 10; round++)
        {
            // Fill to capacity, then take two: the head walks round the ring.
            while (q.Count < 3)
            {
                var run = new QueuedRun("job" + next, T0.AddMinutes(next));
                next++;
                Assert.True(q.TryEnqueue(run));
                expected.Enqueue(run);
            }

            for (var i = 0; i < 2; i++)
            {
                Assert.True(q.TryDequeue(out var taken));
                Assert.Equal(expected.Dequeue(), taken);
            }
        }
    }

    [Fact]
    public void TryEnqueue_BeyondCapacity_RefusesTheNewRunAndKeepsTheOthers()
    {
        var q = new InMemoryJobQueue(2);
        Assert.True(q.TryEnqueue(new QueuedRun("a", T0)));
        Assert.True(q.TryEnqueue(new QueuedRun("b", T0)));
        Assert.False(q.TryEnqueue(new QueuedRun("c", T0)));
        Assert.Equal(2, q.Count);

        Assert.True(q.TryDequeue(out var first));
        Assert.True(q.TryDequeue(out var second));
        Assert.False(q.TryDequeue(out var none));
        Assert.Equal(["a", "b"], new[] { first.JobId, second.JobId });
        Assert.Equal(default, none);
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public async Task TryEnqueueAndTryDequeue_FromManyThreads_LoseAndDuplicateNothing()
    {
        var q = new InMemoryJobQueue(64);
        const int PerProducer = 5_000;
        var taken = new System.Collections.Concurrent.ConcurrentBag<string>();
        var producers = Enumerable.Range(0, 2).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < PerProducer; i++)
            {
                var run = new QueuedRun($"{p}:{i}", T0);
                while (!q.TryEnqueue(run))
                {
                    Thread.Yield();
                }
            }
        })).ToArray();
        var consumer = Task.Run(() =>
        {
            while (taken.Count < 2 * PerProducer)
            {
                if (q.TryDequeue(out var run))
                {
                    taken.Add(run.JobId);
                }
            }
        });

        await Task.WhenAll([.. producers, consumer]).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2 * PerProducer, taken.Distinct().Count());
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void DefaultQueuedRun_ReadsAsEmptyWithoutThrowing()
    {
        var run = default(QueuedRun);
        Assert.Equal(string.Empty, run.JobId);
        Assert.Equal(DateTimeOffset.MinValue.UtcTicks, run.ScheduledTime.UtcTicks);
    }

    [Fact]
    public void Constructor_NonPositiveCapacity_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryJobQueue(0));
}
