namespace ChronoFlow.Tests.Queueing;

public class InMemoryJobQueueTests
{
    [Fact]
    public void TryEnqueue_BeyondCapacity_RefusesAndKeepsOrder()
    {
        var q = new InMemoryJobQueue(2);
        Assert.True(q.TryEnqueue(default));
        Assert.True(q.TryEnqueue(default));
        Assert.False(q.TryEnqueue(default));
        Assert.Equal(2, q.Count);

        Assert.True(q.TryDequeue(out _));
        Assert.True(q.TryEnqueue(default));
        Assert.True(q.TryDequeue(out _));
        Assert.True(q.TryDequeue(out _));
        Assert.False(q.TryDequeue(out _));
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void Constructor_NonPositiveCapacity_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryJobQueue(0));
}
