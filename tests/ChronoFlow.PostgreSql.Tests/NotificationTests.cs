using ChronoFlow.Testing;

namespace ChronoFlow.PostgreSql.Tests;

/// <summary>A pause or resume on one node reaches the others through LISTEN/NOTIFY at once, not at their next tick.</summary>
public sealed class NotificationTests(PostgresServer server) : StoreTests(server)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Subscriber_IsCalledOnceListening_AndWhenAnotherNodeWritesAControl()
    {
        var listener = await OpenStore();
        var writer = await OpenStore();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var notified = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        using var subscription = listener.Subscribe(() =>
        {
            // The first call says the connection listens (and that anything sent before may have been missed).
            if (Interlocked.Increment(ref calls) == 1)
            {
                listening.TrySetResult();
            }
            else
            {
                notified.TrySetResult();
            }
        });
        await listening.Task.WaitAsync(Patience);

        await new Batch("p2", T0).State(new JobState { JobId = "report", Schedule = "* * * * *" }).WriteTo(writer);
        var batch = new StoreBatch { Node = "p2", Owner = "p2", Now = T0, LeaseDuration = TimeSpan.FromSeconds(10) };
        batch.Add(new JobControl("report", JobControlKind.Pause));
        await writer.WriteAsync(batch, CancellationToken.None);

        await notified.Task.WaitAsync(Patience);
        var sync = await listener.SyncAsync(new NodeHeartbeat { Node = "p1", Owner = "p1", Now = T0 }, 0, CancellationToken.None);
        Assert.Equal(("report", true), (sync.Changes.Single().JobId, sync.Changes.Single().Paused));
    }

    [Fact]
    public async Task Pause_OnOneScheduler_ReachesAnotherWithoutItsClockMoving()
    {
        // Both schedulers run on a fake clock that never moves here: no maintenance tick comes, so only the
        // notification can make B sync.
        var clock = new TestClock();
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = await StartAsync(clock, NewStore(o => o.UseDatabaseClock = false), "node-a");
        var b = await StartAsync(clock, new WatchedStore(NewStore(o => o.UseDatabaseClock = false), applied, c => c.Paused), "node-b");

        Assert.True(a.Pause("shared"));
        await a.FlushAsync();
        await applied.Task.WaitAsync(Patience);
        await b.FlushAsync();

        Assert.Equal(JobStatus.Paused, b.GetJob("shared")!.Status);
        await a.DisposeAsync();
        await b.DisposeAsync();
    }

    [Fact]
    public async Task Remove_OnOneScheduler_ReachesAnotherWithoutItsClockMoving()
    {
        var clock = new TestClock();
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = await StartAsync(clock, NewStore(o => o.UseDatabaseClock = false), "node-a");
        var b = await StartAsync(clock, new WatchedStore(NewStore(o => o.UseDatabaseClock = false), applied, c => c.Removed), "node-b");

        Assert.True(a.Remove("shared"));
        await a.FlushAsync();
        await applied.Task.WaitAsync(Patience);
        await b.FlushAsync();

        Assert.Null(b.GetJob("shared"));
        await a.DisposeAsync();
        await b.DisposeAsync();
    }

    private static async Task<JobScheduler> StartAsync(TestClock clock, IJobStore store, string node)
    {
        var scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft, ShutdownTimeout = TimeSpan.Zero, Store = store, NodeName = node }, clock);
        scheduler.AddOrUpdate("shared", Schedule.Cron("* * * * *"), (_, _) => default);
        await scheduler.StartAsync();
        return scheduler;
    }

    /// <summary>The store, saying when a sync returned a change.</summary>
    private sealed class WatchedStore(PostgreSqlJobStore inner, TaskCompletionSource changed, Func<JobControlChange, bool> awaited) : IJobStore, IJobStoreChangeNotifier
    {
        public ValueTask<IReadOnlyList<JobState>> OpenAsync(string node, CancellationToken cancellationToken) => inner.OpenAsync(node, cancellationToken);

        public ValueTask<StoreWriteResult> WriteAsync(StoreBatch batch, CancellationToken cancellationToken) => inner.WriteAsync(batch, cancellationToken);

        public ValueTask<IReadOnlyList<RunRecord>> AbandonExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.AbandonExpiredAsync(now, cancellationToken);

        public ValueTask<IReadOnlyList<RunRecord>> GetRunsAsync(string jobId, RunQuery query, CancellationToken cancellationToken) => inner.GetRunsAsync(jobId, query, cancellationToken);

        public async ValueTask<StoreSync> SyncAsync(NodeHeartbeat heartbeat, long sinceVersion, CancellationToken cancellationToken)
        {
            var sync = await inner.SyncAsync(heartbeat, sinceVersion, cancellationToken);
            if (sync.Changes.Any(awaited))
            {
                changed.TrySetResult();
            }

            return sync;
        }

        public ValueTask<NodeList> GetNodesAsync(CancellationToken cancellationToken) => inner.GetNodesAsync(cancellationToken);

        public IDisposable Subscribe(Action onChanged) => inner.Subscribe(onChanged);
    }
}
