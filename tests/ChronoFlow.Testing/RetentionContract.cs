using Xunit;

namespace ChronoFlow.Testing;

/// <summary>
/// What a durable store's history retention must do, whatever the database: prune by age and by count, never a
/// running row, in chunks, and in the background once its interval has passed. A derived class opens the store.
/// </summary>
public abstract class RetentionContract
{
    protected static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Opens a store on the test's own database with 30 days of history, <paramref name="maxRunsPerJob"/> runs per job
    /// (0: no count limit) and background pruning every <paramref name="interval"/> (<see langword="null"/>: never).
    /// </summary>
    protected abstract Task<IJobStore> OpenRetainingStoreAsync(int maxRunsPerJob = 1_000, TimeSpan? interval = null);

    /// <summary>Prunes now, as the store's own retention would; returns how many rows it deleted.</summary>
    protected abstract ValueTask<long> PruneAsync(IJobStore store, DateTimeOffset now);

    /// <summary>The store's background pruning started by its last write, or a completed task.</summary>
    protected abstract Task RetentionTaskOf(IJobStore store);

    private static readonly TimeSpan Month = TimeSpan.FromDays(30);

    [Fact]
    public async Task PruneAsync_ByAge_DeletesOnlyRowsThatEndedBeforeTheCutoff_NeverRunningOnes()
    {
        var store = await OpenRetainingStoreAsync(maxRunsPerJob: 0);
        var old = T0 - Month - TimeSpan.FromDays(1);
        var running = (await new Batch("p1", old, lease: TimeSpan.FromDays(365)).Claim("job", old).WriteTo(store)).ClaimIds[0];
        await new Batch("p1", T0)
            .Record(new RunRecord { JobId = "job", ScheduledTime = old, StartedTime = old, EndedTime = old.AddMinutes(1), Outcome = JobOutcome.Succeeded })
            .Record(new RunRecord { JobId = "other", ScheduledTime = old, Skipped = SkipReason.Misfired, Count = 3 })
            .Record(new RunRecord { JobId = "job", ScheduledTime = old, StartedTime = old, EndedTime = T0.AddDays(-1), Outcome = JobOutcome.Succeeded })
            .Record(new RunRecord { JobId = "job", ScheduledTime = T0.AddDays(-1), Skipped = SkipReason.Busy })
            .WriteTo(store);

        var deleted = await PruneAsync(store, T0);

        Assert.Equal(2, deleted);
        var left = await store.GetRunsAsync("job", new RunQuery(1000), CancellationToken.None);
        Assert.Equal(3, left.Count);
        Assert.Contains(left, r => r.Id == running);
        Assert.Contains(left, r => r.EndedTime == T0.AddDays(-1));
        Assert.Empty(await store.GetRunsAsync("other", new RunQuery(1000), CancellationToken.None));
    }

    [Fact]
    public async Task PruneAsync_ByCount_KeepsTheNewestOfEachJobAndRunningOnes_InChunks()
    {
        var store = await OpenRetainingStoreAsync(maxRunsPerJob: 100);
        var running = (await new Batch("p1", T0).Claim("big", T0.AddDays(-1)).WriteTo(store)).ClaimIds[0];
        var batch = new Batch("p1", T0);
        for (var i = 0; i < 1_300; i++)
        {
            batch.Record(new RunRecord { JobId = "big", ScheduledTime = T0.AddSeconds(i), Skipped = SkipReason.Busy });
        }

        for (var i = 0; i < 5; i++)
        {
            batch.Record(new RunRecord { JobId = "small", ScheduledTime = T0.AddSeconds(i), Skipped = SkipReason.Busy });
        }

        await batch.WriteTo(store);
        var newest = (await store.GetRunsAsync("big", new RunQuery(100), CancellationToken.None)).Select(r => r.Id).ToList();

        var deleted = await PruneAsync(store, T0);

        Assert.Equal(1_200, deleted);
        var left = await store.GetRunsAsync("big", new RunQuery(1000), CancellationToken.None);
        Assert.Equal(newest.Append(running), left.Select(r => r.Id));
        Assert.Equal(5, (await store.GetRunsAsync("small", new RunQuery(1000), CancellationToken.None)).Count);
        Assert.Equal(0, await PruneAsync(store, T0));
    }

    [Fact]
    public async Task WriteAsync_OnceTheIntervalPassed_PrunesInTheBackground()
    {
        var store = await OpenRetainingStoreAsync(interval: TimeSpan.FromMinutes(5));
        var old = T0 - Month - TimeSpan.FromDays(1);
        await new Batch("p1", old).Record(new RunRecord { JobId = "job", ScheduledTime = old, Skipped = SkipReason.Busy }).WriteTo(store);
        await RetentionTaskOf(store);
        Assert.Single(await store.GetRunsAsync("job", new RunQuery(1000), CancellationToken.None));

        await new Batch("p1", T0).Record(new RunRecord { JobId = "job", ScheduledTime = T0, Skipped = SkipReason.Busy }).WriteTo(store);
        await RetentionTaskOf(store);

        Assert.Equal(T0, Assert.Single(await store.GetRunsAsync("job", new RunQuery(1000), CancellationToken.None)).ScheduledTime);
    }

    [Fact]
    public async Task WriteAsync_BeforeTheIntervalPassed_DoesNotPrune()
    {
        var store = await OpenRetainingStoreAsync(interval: TimeSpan.FromMinutes(5));
        await new Batch("p1", T0).Record(new RunRecord { JobId = "job", ScheduledTime = T0 - Month - Month, Skipped = SkipReason.Busy }).WriteTo(store);
        await RetentionTaskOf(store);

        await new Batch("p1", T0.AddMinutes(4)).Record(new RunRecord { JobId = "job", ScheduledTime = T0 - Month - Month, Skipped = SkipReason.Busy }).WriteTo(store);
        await RetentionTaskOf(store);

        Assert.Single(await store.GetRunsAsync("job", new RunQuery(1000), CancellationToken.None));
    }
}
