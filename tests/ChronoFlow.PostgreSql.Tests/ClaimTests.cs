namespace ChronoFlow.PostgreSql.Tests;

public sealed class ClaimTests(PostgresServer server) : StoreTests(server)
{
    [Fact]
    public async Task Claim_WritesARunningRowOwnedByTheBatch_WithALeaseOnTheDatabaseClock()
    {
        var store = await OpenStore();

        var result = await new Batch("owner-1", T0, node: "web-1", lease: TimeSpan.FromSeconds(30)).Claim("report", T0.AddSeconds(-1)).WriteTo(store);

        var id = Assert.Single(result.ClaimIds);
        Assert.True(id > 0);
        Assert.Empty(result.Fenced);
        var run = await Single(store, "report");
        Assert.Equal(new RunRecord { Id = id, JobId = "report", ScheduledTime = T0.AddSeconds(-1), Node = "web-1", StartedTime = T0 }, run);
        Assert.Equal("owner-1", await Scalar($"SELECT owner FROM {{s}}.runs WHERE id = {id}"));

        // The batch says 2025; the lease is the server's now() plus 30 s.
        var left = (double)(decimal)(await Scalar($"SELECT extract(epoch FROM lease_until - now()) FROM {{s}}.runs WHERE id = {id}"))!;
        Assert.InRange(left, 20, 30);
    }

    [Fact]
    public async Task Claim_SameOccurrenceTwiceInOneBatch_SecondLoses()
    {
        var store = await OpenStore();

        var result = await new Batch("p1", T0).Claim("report", T0).Claim("report", T0).Claim("report", T0.AddMinutes(1)).WriteTo(store);

        Assert.True(result.ClaimIds[0] > 0);
        Assert.Equal(0, result.ClaimIds[1]);
        Assert.True(result.ClaimIds[2] > 0);
        Assert.Equal(2L, await Count("SELECT count(*) FROM {s}.runs"));
    }

    [Fact]
    public async Task Claim_AnswersInTheBatchOrder_WhateverOrderTheStoreClaimsIn()
    {
        var store = await OpenStore();
        await new Batch("p0", T0).Claim("b", T0).WriteTo(store);

        var result = await new Batch("p1", T0).Claim("c", T0).Claim("b", T0).Claim("a", T0.AddMinutes(1)).Claim("a", T0).WriteTo(store);

        Assert.Equal(0, result.ClaimIds[1]);
        var runs = new Dictionary<long, RunRecord>();
        foreach (var job in (string[])["a", "c"])
        {
            foreach (var r in await store.GetRunsAsync(job, new RunQuery(10), CancellationToken.None))
            {
                runs[r.Id] = r;
            }
        }

        Assert.Equal(("c", T0), (runs[result.ClaimIds[0]].JobId, runs[result.ClaimIds[0]].ScheduledTime));
        Assert.Equal(("a", T0.AddMinutes(1)), (runs[result.ClaimIds[2]].JobId, runs[result.ClaimIds[2]].ScheduledTime));
        Assert.Equal(("a", T0), (runs[result.ClaimIds[3]].JobId, runs[result.ClaimIds[3]].ScheduledTime));
    }

    [Fact]
    public async Task Claim_SameOccurrenceInTwoBatches_SecondLoses()
    {
        var store = await OpenStore();

        var first = await new Batch("p1", T0).Claim("report", T0).WriteTo(store);
        var second = await new Batch("p1", T0.AddSeconds(1)).Claim("report", T0).WriteTo(store);

        Assert.True(first.ClaimIds[0] > 0);
        Assert.Equal([0L], second.ClaimIds);
    }

    [Fact]
    public async Task Claim_SameOccurrenceFromTwoStores_OnlyOneWins()
    {
        var a = await OpenStore();
        var b = await OpenStore();

        var won = await new Batch("process-a", T0).Claim("report", T0).WriteTo(a);
        var lost = await new Batch("process-b", T0).Claim("report", T0).Claim("other", T0).WriteTo(b);

        Assert.True(won.ClaimIds[0] > 0);
        Assert.Equal(0, lost.ClaimIds[0]);
        Assert.True(lost.ClaimIds[1] > 0);
    }

    [Fact]
    public async Task Claim_ManualRuns_AreNeverUnique_AndAlwaysWin()
    {
        var a = await OpenStore();
        var b = await OpenStore();

        var scheduled = await new Batch("pa", T0).Claim("report", T0).WriteTo(a);
        var first = await new Batch("pa", T0).Claim("report", T0, manual: true).Claim("report", T0, manual: true).WriteTo(a);
        var second = await new Batch("pb", T0).Claim("report", T0, manual: true).WriteTo(b);

        Assert.True(scheduled.ClaimIds[0] > 0);
        Assert.All(first.ClaimIds.Concat(second.ClaimIds), id => Assert.True(id > 0));
        Assert.Equal(4, first.ClaimIds.Concat(second.ClaimIds).Append(scheduled.ClaimIds[0]).Distinct().Count());
        Assert.Equal(3L, await Count("SELECT count(*) FROM {s}.runs WHERE manual"));
    }

    [Fact]
    public async Task Claim_ManyOccurrencesRacedByTwoStoresOnTwoThreads_EachWonExactlyOnce()
    {
        const int Occurrences = 400;
        const int BatchSize = 20;
        var a = await OpenStore();
        var b = await OpenStore();

        async Task<List<(DateTimeOffset Scheduled, long Id)>> Race(PostgreSqlJobStore store, string owner, bool reverse)
        {
            var won = new List<(DateTimeOffset, long)>();
            var order = Enumerable.Range(0, Occurrences).Select(i => T0.AddSeconds(i)).ToList();
            if (reverse)
            {
                order.Reverse();
            }

            foreach (var chunk in order.Chunk(BatchSize))
            {
                var batch = new Batch(owner, T0);
                foreach (var scheduled in chunk)
                {
                    batch.Claim("job", scheduled);
                }

                var result = await batch.WriteTo(store);
                for (var i = 0; i < chunk.Length; i++)
                {
                    if (result.ClaimIds[i] != 0)
                    {
                        won.Add((chunk[i], result.ClaimIds[i]));
                    }
                }
            }

            return won;
        }

        var results = await Task.WhenAll(Task.Run(() => Race(a, "pa", reverse: false)), Task.Run(() => Race(b, "pb", reverse: true)));

        var all = results[0].Concat(results[1]).ToList();
        Assert.Equal(Occurrences, all.Count);
        Assert.Equal(Occurrences, all.Select(w => w.Scheduled).Distinct().Count());
        Assert.Equal(Occurrences, all.Select(w => w.Id).Distinct().Count());
        Assert.Equal((long)Occurrences, await Count("SELECT count(*) FROM {s}.runs"));
    }

    [Fact]
    public async Task Claim_SameOccurrencesInShuffledOrderByFourStoresAtOnce_NeverDeadlock_EachWonOnce()
    {
        // Each round, four nodes claim the same 30 occurrences and write the same job states, each in an order of its
        // own. Claimed in the batch's order, two transactions would wait for each other's rows and deadlock.
        const int Rounds = 10;
        const int PerRound = 30;
        var stores = new List<PostgreSqlJobStore>();
        for (var i = 0; i < 4; i++)
        {
            stores.Add(await OpenStore());
        }

        var won = new long[Rounds * PerRound];
        for (var round = 0; round < Rounds; round++)
        {
            var occurrences = Enumerable.Range(round * PerRound, PerRound).ToArray();
            var results = await Task.WhenAll(stores.Select((store, n) => Task.Run(async () =>
            {
                var order = occurrences.OrderBy(_ => Random.Shared.Next()).ToArray();
                var batch = new Batch($"p{n}", T0);
                foreach (var o in order)
                {
                    batch.Claim($"job-{o % 7}", T0.AddSeconds(o));
                }

                foreach (var j in Enumerable.Range(0, 7).OrderBy(_ => Random.Shared.Next()))
                {
                    batch.State(new JobState { JobId = $"job-{j}", Schedule = "* * * * *", RunCount = round });
                }

                return (Order: order, Result: await batch.WriteTo(store));
            })));
            foreach (var (order, result) in results)
            {
                for (var i = 0; i < order.Length; i++)
                {
                    if (result.ClaimIds[i] != 0)
                    {
                        Assert.Equal(0, won[order[i]]);
                        won[order[i]] = result.ClaimIds[i];
                    }
                }
            }
        }

        Assert.All(won, id => Assert.True(id > 0));
        Assert.Equal((long)won.Length, await Count("SELECT count(*) FROM {s}.runs"));
    }
}
