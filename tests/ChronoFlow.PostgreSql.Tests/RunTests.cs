using Npgsql;

namespace ChronoFlow.PostgreSql.Tests;

public sealed class RunTests(PostgresServer server) : StoreTests(server)
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
            StartedTime = T0.AddTicks(5),
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
        Assert.Equal(TimeSpan.FromSeconds(3) - TimeSpan.FromTicks(5), run.Duration);
        Assert.Equal(0L, await Count("SELECT count(*) FROM {s}.runs WHERE lease_until IS NOT NULL"));
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
        Assert.Equal(0L, await Count("SELECT count(*) FROM {s}.runs WHERE unique_slot IS NOT NULL OR lease_until IS NOT NULL"));
    }

    [Fact]
    public async Task Renew_ByTheOwner_ExtendsTheLeaseByTheDatabaseClock_ByAnotherOrAfterTheEnd_IsFenced()
    {
        var store = await OpenStore();
        var ids = (await new Batch("p1", T0, lease: TimeSpan.FromSeconds(5)).Claim("a", T0).Claim("b", T0).WriteTo(store)).ClaimIds;
        await new Batch("p1", T0.AddSeconds(1)).Finish(ids[1], "b").WriteTo(store);

        // The node's clock says 1990: the lease is still the server's now() plus the lease duration.
        var renewed = await new Batch("p1", new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero), lease: TimeSpan.FromMinutes(10)).Renew(ids[0]).Renew(ids[1]).WriteTo(store);
        var stranger = await new Batch("p2", T0.AddSeconds(6), lease: TimeSpan.FromHours(5)).Renew(ids[0]).WriteTo(store);

        Assert.Equal([ids[1]], renewed.Fenced);
        Assert.Equal([ids[0]], stranger.Fenced);
        var left = (double)(decimal)(await Scalar($"SELECT extract(epoch FROM lease_until - now()) FROM {{s}}.runs WHERE id = {ids[0]}"))!;
        Assert.InRange(left, 500, 600);
    }

    [Fact]
    public async Task Abandon_OnTheProcessClock_ExpiredLeasesAreRecordedAndKeepTheirOccurrence_AndRunAgainOnlyByARecovery()
    {
        // The store the scheduler scenarios use: leases on the clock the batches and the sweep report.
        var a = await OpenStore(o => o.UseDatabaseClock = false);
        var b = await OpenStore(o => o.UseDatabaseClock = false);
        var lease = TimeSpan.FromSeconds(10);
        var expired = (await new Batch("dead", T0, node: "web-1", lease: lease).Claim("report", T0).Claim("manual", T0, manual: true).WriteTo(a)).ClaimIds;
        var alive = (await new Batch("alive", T0.AddSeconds(5), node: "web-2", lease: lease).Claim("other", T0).WriteTo(b)).ClaimIds[0];
        var now = T0.AddSeconds(12);

        var abandoned = await b.AbandonExpiredAsync(now, CancellationToken.None);

        Assert.Equal(expired.Order(), abandoned.Select(r => r.Id).Order());
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
        Assert.True(rerun.ClaimIds[0] > expired.Max());
        Assert.False((await b.GetRunsAsync("report", new RunQuery(10), CancellationToken.None)).Single(r => r.Id == rerun.ClaimIds[0]).Manual);
        Assert.Equal(1L, await Count($"SELECT count(*) FROM {{s}}.runs WHERE id = {alive} AND lease_until IS NOT NULL"));
    }

    [Fact]
    public async Task Abandon_TwoNodesSweepingTogether_EachRunIsReturnedToOneNodeOnly()
    {
        var stores = new List<PostgreSqlJobStore>();
        for (var i = 0; i < 3; i++)
        {
            stores.Add(await OpenStore(o => o.UseDatabaseClock = false));
        }

        var batch = new Batch("dead", T0, lease: TimeSpan.FromSeconds(1));
        for (var i = 0; i < 3000; i++)
        {
            batch.Claim($"job-{i % 10}", T0.AddSeconds(i));
        }

        var claimed = (await batch.WriteTo(stores[0])).ClaimIds;

        var swept = await Task.WhenAll(stores.Select(s => Task.Run(async () => await s.AbandonExpiredAsync(T0.AddMinutes(1), CancellationToken.None))));

        var all = swept.SelectMany(r => r).Select(r => r.Id).ToList();
        Assert.Equal(claimed.Order(), all.Order());
        Assert.Equal(3000L, await Count("SELECT count(*) FROM {s}.runs WHERE outcome = 4 AND unique_slot AND lease_until IS NULL"));
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

        Assert.Contains(store.StoreName, ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing of the batch was applied", ex.Message, StringComparison.Ordinal);
        Assert.Contains("23514", ex.Message, StringComparison.Ordinal);
        Assert.IsType<PostgresException>(ex.InnerException);
        Assert.Equal(1L, await Count("SELECT count(*) FROM {s}.runs"));
        Assert.Equal(0L, await Count("SELECT count(*) FROM {s}.jobs"));
        Assert.Null((await Single(store, "report")).Outcome);

        var retried = await new Batch("p1", T0.AddSeconds(2)).Claim("report", T0.AddMinutes(1)).Finish(claimed, "report").WriteTo(store);
        Assert.True(retried.ClaimIds[0] > claimed);
        Assert.Empty(retried.Fenced);
    }

    [Fact]
    public async Task WriteAsync_ABatchOfManyRuns_IsOneTransaction()
    {
        var store = await OpenStore();
        var first = new Batch("p1", T0);
        for (var i = 0; i < 100; i++)
        {
            first.Claim($"job-{i}", T0);
        }

        var ids = (await first.WriteTo(store)).ClaimIds;
        var next = new Batch("p1", T0.AddMinutes(1));
        for (var i = 0; i < 100; i++)
        {
            next.Claim($"job-{i}", T0.AddMinutes(1)).Finish(ids[i], $"job-{i}").State(new JobState { JobId = $"job-{i}", Schedule = "* * * * *", RunCount = 1 });
        }

        var result = await next.WriteTo(store);

        // Every row the batch inserted or updated, in both tables, carries the id of one and the same transaction.
        Assert.Empty(result.Fenced);
        Assert.Equal(1L, await Count(
            $"SELECT count(DISTINCT x) FROM (SELECT xmin::text AS x FROM {{s}}.runs WHERE id IN ({string.Join(',', ids.Concat(result.ClaimIds))}) "
            + "UNION ALL SELECT xmin::text FROM {s}.jobs) t"));
        Assert.Equal(100L, await Count("SELECT count(*) FROM {s}.jobs"));
        Assert.Equal(100L, await Count("SELECT count(*) FROM {s}.runs WHERE lease_until IS NOT NULL"));
        Assert.Equal(100L, await Count("SELECT count(*) FROM {s}.runs WHERE outcome = 0"));
    }

    [Fact]
    public async Task WriteAsync_OneBatchOfEveryKind_GivesEachRowItsOwnAnswer()
    {
        // Each kind of row goes to the server as one statement over arrays; the answers must still reach the right rows.
        var store = await OpenStore();
        var running = (await new Batch("p1", T0).Claim("a", T0).Claim("b", T0).WriteTo(store)).ClaimIds;
        var batch = new Batch("p1", T0.AddMinutes(1))
            .Claim("z", T0.AddMinutes(1))
            .Claim("a", T0, manual: true)
            .Claim("a", T0) // already claimed by the first batch
            .Claim("m", T0.AddMinutes(1))
            .Claim("z", T0.AddMinutes(1)) // twice in this batch
            .Claim("m", T0.AddMinutes(1), manual: true)
            .Record(new RunRecord { Id = running[0], JobId = "a", ScheduledTime = T0, Outcome = JobOutcome.Cancelled, EndedTime = T0.AddMinutes(1), Node = "node-a" })
            .Record(new RunRecord { Id = running[1], JobId = "b", ScheduledTime = T0, Outcome = null, Skipped = SkipReason.Shutdown, Node = "node-a" })
            .Record(new RunRecord { JobId = "s", ScheduledTime = T0.AddSeconds(1), Skipped = SkipReason.Busy, Node = "node-a" })
            .Record(new RunRecord { JobId = "s", ScheduledTime = T0.AddSeconds(2), Skipped = SkipReason.Misfired, Count = 7, Node = "node-a", Error = null })
            .State(new JobState { JobId = "a", Schedule = "* * * * *", RunCount = 1 })
            .State(new JobState { JobId = "a", Schedule = "* * * * *", RunCount = 2, LastOutcome = JobOutcome.Cancelled, LastDuration = TimeSpan.FromSeconds(3) })
            .State(new JobState { JobId = "b", Schedule = "@hourly", NextOccurrence = null });

        var result = await batch.WriteTo(store);

        var ids = result.ClaimIds;
        Assert.Equal(6, ids.Count);
        Assert.True(ids[0] > 0 && ids[1] > 0 && ids[3] > 0 && ids[5] > 0, string.Join(",", ids));
        Assert.Equal(0, ids[2]);
        Assert.Equal(0, ids[4]);
        Assert.Equal(4, ids.Where(id => id > 0).Distinct().Count());
        Assert.Equal("z", (await store.GetRunsAsync("z", new RunQuery(10), CancellationToken.None)).Single(r => r.Id == ids[0]).JobId);
        Assert.True((await store.GetRunsAsync("a", new RunQuery(10), CancellationToken.None)).Single(r => r.Id == ids[1]).Manual);
        Assert.False((await store.GetRunsAsync("m", new RunQuery(10), CancellationToken.None)).Single(r => r.Id == ids[3]).Manual);
        Assert.True((await store.GetRunsAsync("m", new RunQuery(10), CancellationToken.None)).Single(r => r.Id == ids[5]).Manual);
        Assert.Empty(result.Fenced);

        Assert.Equal(JobOutcome.Cancelled, (await store.GetRunsAsync("a", new RunQuery(10), CancellationToken.None)).Single(r => r.Id == running[0]).Outcome);
        var shutdown = (await store.GetRunsAsync("b", new RunQuery(10), CancellationToken.None)).Single(r => r.Id == running[1]);
        Assert.Null(shutdown.Outcome);
        Assert.Equal(SkipReason.Shutdown, shutdown.Skipped);
        Assert.Equal(T0, shutdown.StartedTime); // kept: the finish had none

        // Inserted rows take ids in the batch's order, so history's newest first stays the order they were written.
        var skipped = await store.GetRunsAsync("s", new RunQuery(10), CancellationToken.None);
        Assert.Equal([SkipReason.Misfired, SkipReason.Busy], skipped.Select(r => r.Skipped));
        Assert.Equal(7, skipped[0].Count);

        var states = await NewStore().OpenAsync("node-b", CancellationToken.None);
        Assert.Equal(2, states.Single(s => s.JobId == "a").RunCount);
        Assert.Equal(TimeSpan.FromSeconds(3), states.Single(s => s.JobId == "a").LastDuration);
        Assert.Null(states.Single(s => s.JobId == "b").NextOccurrence);
    }

    [Fact]
    public async Task WriteAsync_Cancelled_AppliesNothing()
    {
        var store = await OpenStore();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await store.WriteAsync(new Batch("p", T0).Claim("j", T0).Build(), cancelled.Token));

        Assert.Equal(0L, await Count("SELECT count(*) FROM {s}.runs"));
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
            batch.Record(new RunRecord { JobId = "mine", ScheduledTime = T0.AddSeconds(i), Skipped = SkipReason.Busy })
                .Record(new RunRecord { JobId = "theirs", ScheduledTime = T0.AddSeconds(i), Skipped = SkipReason.Busy });
        }

        await batch.WriteTo(store);
        var ids = (await store.GetRunsAsync("mine", new RunQuery(1000), CancellationToken.None)).Select(r => r.Id).ToList();

        var pages = new List<IReadOnlyList<RunRecord>>();
        long? before = null;
        do
        {
            pages.Add(await store.GetRunsAsync("mine", new RunQuery(10, before), CancellationToken.None));
            before = pages[^1].Count > 0 ? pages[^1][^1].Id : null;
        }
        while (pages[^1].Count == 10);

        Assert.Equal([10, 10, 5], pages.Select(p => p.Count));
        Assert.Equal(ids, pages.SelectMany(p => p).Select(r => r.Id));
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => T0.AddSeconds(i)), pages.SelectMany(p => p).Select(r => r.ScheduledTime));
        Assert.All(pages.SelectMany(p => p), r => Assert.Equal("mine", r.JobId));
        Assert.Equal(25, (await store.GetRunsAsync("mine", new RunQuery(0), CancellationToken.None)).Count);
        Assert.Equal(25, (await store.GetRunsAsync("mine", new RunQuery(-5), CancellationToken.None)).Count);
        Assert.Equal(25, (await store.GetRunsAsync("mine", new RunQuery(int.MaxValue), CancellationToken.None)).Count);
        Assert.Empty(await store.GetRunsAsync("nobody", new RunQuery(1000), CancellationToken.None));
    }

    [Fact]
    public async Task GetRunsAsync_LimitIsClampedTo1000_AndDefaultsTo50()
    {
        var store = await OpenStore();
        var batch = new Batch("p1", T0);
        for (var i = 0; i < 1005; i++)
        {
            batch.Record(new RunRecord { JobId = "busy", ScheduledTime = T0.AddSeconds(i), Skipped = SkipReason.Busy });
        }

        await batch.WriteTo(store);

        Assert.Equal(1000, (await store.GetRunsAsync("busy", new RunQuery(5000), CancellationToken.None)).Count);
        Assert.Equal(50, (await store.GetRunsAsync("busy", default, CancellationToken.None)).Count);
    }
}
