namespace ChronoFlow.Sqlite.Tests;

public sealed class RunTests : StoreTests
{
    [Fact]
    public async Task Finish_ByTheOwner_EndsTheRunWithEveryField()
    {
        var store = await OpenStore();
        var id = (await new Batch("p1", T0).Claim("report", T0).WriteTo(store)).ClaimIds[0];
        var ended = new RunRecord
        {
            Id = id,
            JobId = "report",
            ScheduledTime = T0,
            Node = "node-a",
            StartedTime = T0.AddMilliseconds(5),
            EndedTime = T0.AddSeconds(3),
            Outcome = JobOutcome.Failed,
            Attempt = 3,
            Error = new string('e', RunRecord.MaxErrorLength) + "-cut",
            Output = "cut-" + new string('o', RunRecord.MaxOutputLength),
        };

        var result = await new Batch("p1", T0.AddSeconds(3)).Record(ended).WriteTo(store);

        Assert.Empty(result.Fenced);
        var run = await Single(store, "report");
        Assert.Equal(ended with { Error = new string('e', RunRecord.MaxErrorLength), Output = new string('o', RunRecord.MaxOutputLength) }, run);
        Assert.Equal(TimeSpan.FromSeconds(3) - TimeSpan.FromMilliseconds(5), run.Duration);
        Assert.Equal(0L, Count("SELECT count(*) FROM runs WHERE lease_until IS NOT NULL"));
    }

    [Fact]
    public async Task Finish_ByAnotherOwner_IsFencedAndChangesNothing()
    {
        var store = await OpenStore();
        var id = (await new Batch("p1", T0).Claim("report", T0).WriteTo(store)).ClaimIds[0];

        var result = await new Batch("p2", T0.AddSeconds(1)).Finish(id, "report").WriteTo(store);

        Assert.Equal([id], result.Fenced);
        var run = await Single(store, "report");
        Assert.Null(run.Outcome);
        Assert.Null(run.EndedTime);
    }

    [Fact]
    public async Task Finish_Twice_SecondIsFenced()
    {
        var store = await OpenStore();
        var id = (await new Batch("p1", T0).Claim("report", T0).WriteTo(store)).ClaimIds[0];
        await new Batch("p1", T0.AddSeconds(1)).Finish(id, "report", JobOutcome.Succeeded).WriteTo(store);

        var result = await new Batch("p1", T0.AddSeconds(2)).Finish(id, "report", JobOutcome.Failed).WriteTo(store);

        Assert.Equal([id], result.Fenced);
        Assert.Equal(JobOutcome.Succeeded, (await Single(store, "report")).Outcome);
    }

    [Fact]
    public async Task RecordWithoutId_IsInsertedAsItIs()
    {
        var store = await OpenStore();
        var skipped = new RunRecord { JobId = "report", ScheduledTime = T0, Node = "web-2", Skipped = SkipReason.Misfired, Count = 12 };

        var result = await new Batch("p1", T0).Record(skipped).Record(skipped with { Skipped = SkipReason.Busy, Count = 1 }).WriteTo(store);

        Assert.Empty(result.Fenced);
        var runs = await store.GetRunsAsync("report", new RunQuery(1000), CancellationToken.None);
        Assert.Equal(2, runs.Count);
        Assert.Equal(skipped with { Id = runs[1].Id }, runs[1]);
        Assert.Equal(SkipReason.Busy, runs[0].Skipped);
        Assert.Equal(0L, Count("SELECT count(*) FROM runs WHERE unique_slot IS NOT NULL OR lease_until IS NOT NULL"));
    }

    [Fact]
    public async Task Renew_ByTheOwner_ExtendsTheLease_ByAnotherOrAfterTheEnd_IsFenced()
    {
        var store = await OpenStore();
        var ids = (await new Batch("p1", T0).Claim("a", T0).Claim("b", T0).WriteTo(store)).ClaimIds;
        await new Batch("p1", T0.AddSeconds(1)).Finish(ids[1], "b").WriteTo(store);

        var renewed = await new Batch("p1", T0.AddSeconds(5)).Renew(ids[0]).Renew(ids[1]).WriteTo(store);
        var stranger = await new Batch("p2", T0.AddSeconds(6)).Renew(ids[0]).WriteTo(store);

        Assert.Equal([ids[1]], renewed.Fenced);
        Assert.Equal([ids[0]], stranger.Fenced);
        Assert.Equal(T0.AddSeconds(15).UtcTicks, Scalar($"SELECT lease_until FROM runs WHERE id = {ids[0]}"));
    }

    [Fact]
    public async Task Abandon_ExpiredLeases_AreRecordedAndKeepTheirOccurrence_AndRunAgainOnlyByARecovery()
    {
        var a = await OpenStore();
        var b = await OpenStore();
        var lease = TimeSpan.FromSeconds(10);
        var expired = (await new Batch("dead", T0, node: "web-1", lease: lease).Claim("report", T0).Claim("manual", T0, manual: true).WriteTo(a)).ClaimIds;
        var alive = (await new Batch("alive", T0.AddSeconds(5), node: "web-2", lease: lease).Claim("other", T0).WriteTo(b)).ClaimIds[0];
        var now = T0.AddSeconds(12);

        var abandoned = await b.AbandonExpiredAsync(now, CancellationToken.None);

        Assert.Equal(expired, abandoned.Select(r => r.Id).Order());
        var report = abandoned.Single(r => r.JobId == "report");
        Assert.Equal(JobOutcome.Abandoned, report.Outcome);
        Assert.Equal(now, report.EndedTime);
        Assert.Equal(T0, report.StartedTime);
        Assert.Contains("web-1", report.Error, StringComparison.Ordinal);
        Assert.Equal(report, await Single(a, "report"));
        Assert.Null((await Single(b, "other")).Outcome);
        Assert.Empty(await b.AbandonExpiredAsync(now, CancellationToken.None));

        // The dead owner's late writes are refused. The abandoned run keeps its occurrence: a scheduled claim of it
        // loses, from any process; only the process the sweep returned it to runs it again, with a recovery claim.
        var late = await new Batch("dead", now, node: "web-1").Finish(expired[0], "report").Renew(expired[1]).WriteTo(a);
        Assert.Equal(expired.Order(), late.Fenced.Order());
        Assert.Equal(0, (await new Batch("alive", now).Claim("report", T0).WriteTo(b)).ClaimIds[0]);
        Assert.Equal(0, (await new Batch("dead", now).Claim("report", T0).WriteTo(a)).ClaimIds[0]);
        var rerun = await new Batch("alive", now).Recover("report", T0).WriteTo(b);
        Assert.True(rerun.ClaimIds[0] > expired[1]);
        Assert.False((await b.GetRunsAsync("report", new RunQuery(10), CancellationToken.None)).Single(r => r.Id == rerun.ClaimIds[0]).Manual);
        Assert.Equal(1L, Count($"SELECT count(*) FROM runs WHERE id = {alive} AND lease_until IS NOT NULL"));
    }

    [Fact]
    public async Task WriteAsync_BatchFailingMidway_AppliesNothingAndTheStoreStillWorks()
    {
        var store = await OpenStore();
        var claimed = (await new Batch("p1", T0).Claim("report", T0).WriteTo(store)).ClaimIds[0];
        var bad = new Batch("p1", T0.AddSeconds(1))
            .Claim("report", T0.AddMinutes(1))
            .Finish(claimed, "report")
            .Renew(claimed)
            .State(new JobState { JobId = "report", Schedule = "* * * * *", RunCount = 1 })
            .Record(new RunRecord { JobId = "report", ScheduledTime = T0, Skipped = SkipReason.Busy, Count = -1 }); // breaks CHECK (count >= 0)

        var ex = await Assert.ThrowsAsync<JobStoreException>(async () => await bad.WriteTo(store));

        Assert.Contains(DbPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing of the batch was applied", ex.Message, StringComparison.Ordinal);
        Assert.IsType<Microsoft.Data.Sqlite.SqliteException>(ex.InnerException);
        Assert.Equal(1L, Count("SELECT count(*) FROM runs"));
        Assert.Equal(0L, Count("SELECT count(*) FROM jobs"));
        Assert.Null((await Single(store, "report")).Outcome);

        var retried = await new Batch("p1", T0.AddSeconds(2)).Claim("report", T0.AddMinutes(1)).Finish(claimed, "report").WriteTo(store);
        Assert.True(retried.ClaimIds[0] > claimed);
        Assert.Empty(retried.Fenced);
    }

    [Fact]
    public async Task WriteAsync_Cancelled_AppliesNothing()
    {
        var store = await OpenStore();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.WriteAsync(new Batch("p", T0).Claim("j", T0).Build(), cancelled.Token));

        Assert.Equal(0L, Count("SELECT count(*) FROM runs"));
    }

    [Fact]
    public async Task WriteAsync_AfterDispose_Throws()
    {
        var store = await OpenStore();
        await store.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await new Batch("p", T0).Claim("j", T0).WriteTo(store));
    }

    [Fact]
    public async Task GetRunsAsync_PagesNewestFirstByIdOfOneJobOnly()
    {
        var store = await OpenStore();
        var batch = new Batch("p1", T0);
        for (var i = 0; i < 25; i++)
        {
            batch.Claim("mine", T0.AddSeconds(i)).Claim("theirs", T0.AddSeconds(i));
        }

        var ids = (await batch.WriteTo(store)).ClaimIds.Where((_, i) => i % 2 == 0).ToList();

        var pages = new List<IReadOnlyList<RunRecord>>();
        long? before = null;
        do
        {
            pages.Add(await store.GetRunsAsync("mine", new RunQuery(10, before), CancellationToken.None));
            before = pages[^1].Count > 0 ? pages[^1][^1].Id : null;
        }
        while (pages[^1].Count == 10);

        Assert.Equal([10, 10, 5], pages.Select(p => p.Count));
        Assert.Equal(Enumerable.Reverse(ids), pages.SelectMany(p => p).Select(r => r.Id));
        Assert.All(pages.SelectMany(p => p), r => Assert.Equal("mine", r.JobId));
        Assert.Single(await store.GetRunsAsync("mine", new RunQuery(0), CancellationToken.None));
        Assert.Single(await store.GetRunsAsync("mine", new RunQuery(-5), CancellationToken.None));
        Assert.Equal(25, (await store.GetRunsAsync("mine", new RunQuery(int.MaxValue), CancellationToken.None)).Count);
        Assert.Empty(await store.GetRunsAsync("nobody", new RunQuery(1000), CancellationToken.None));
    }

    [Fact]
    public async Task GetRunsAsync_LimitIsClampedTo1000()
    {
        var store = await OpenStore();
        var batch = new Batch("p1", T0);
        for (var i = 0; i < 1005; i++)
        {
            batch.Record(new RunRecord { JobId = "busy", ScheduledTime = T0.AddSeconds(i), Skipped = SkipReason.Busy });
        }

        await batch.WriteTo(store);

        Assert.Equal(1000, (await store.GetRunsAsync("busy", new RunQuery(5000), CancellationToken.None)).Count);
    }
}
