namespace ChronoFlow.Sqlite.Tests;

public sealed class ClaimTests : StoreTests
{
    [Fact]
    public async Task Claim_WritesARunningRowOwnedByTheBatch()
    {
        var store = await OpenStore();

        var result = await new Batch("owner-1", T0, node: "web-1", lease: TimeSpan.FromSeconds(30)).Claim("report", T0.AddSeconds(-1)).WriteTo(store);

        var id = Assert.Single(result.ClaimIds);
        Assert.True(id > 0);
        Assert.Empty(result.Fenced);
        var run = await Single(store, "report");
        Assert.Equal(new RunRecord { Id = id, JobId = "report", ScheduledTime = T0.AddSeconds(-1), Node = "web-1", StartedTime = T0 }, run);
        Assert.Equal("owner-1", Scalar($"SELECT owner FROM runs WHERE id = {id}"));
        Assert.Equal(T0.AddSeconds(30).UtcTicks, Scalar($"SELECT lease_until FROM runs WHERE id = {id}"));
    }

    [Fact]
    public async Task Claim_SameOccurrenceTwiceInOneBatch_SecondLoses()
    {
        var store = await OpenStore();

        var result = await new Batch("p1", T0).Claim("report", T0).Claim("report", T0).Claim("report", T0.AddMinutes(1)).WriteTo(store);

        Assert.True(result.ClaimIds[0] > 0);
        Assert.Equal(0, result.ClaimIds[1]);
        Assert.True(result.ClaimIds[2] > result.ClaimIds[0]);
        Assert.Equal(2L, Count("SELECT count(*) FROM runs"));
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
    public async Task Claim_SameOccurrenceFromTwoStoresOnOneFile_OnlyOneWins()
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
    public async Task Claim_ManualRuns_AreNeverUnique()
    {
        var a = await OpenStore();
        var b = await OpenStore();

        var scheduled = await new Batch("pa", T0).Claim("report", T0).WriteTo(a);
        var first = await new Batch("pa", T0).Claim("report", T0, manual: true).Claim("report", T0, manual: true).WriteTo(a);
        var second = await new Batch("pb", T0).Claim("report", T0, manual: true).WriteTo(b);

        Assert.True(scheduled.ClaimIds[0] > 0);
        Assert.All(first.ClaimIds.Concat(second.ClaimIds), id => Assert.True(id > 0));
        Assert.Equal(4, first.ClaimIds.Concat(second.ClaimIds).Append(scheduled.ClaimIds[0]).Distinct().Count());
        Assert.Equal(3L, Count("SELECT count(*) FROM runs WHERE manual = 1"));
    }

    [Fact]
    public async Task Claim_ManyOccurrencesRacedByTwoStoresOnTwoThreads_EachWonExactlyOnce()
    {
        const int Occurrences = 400;
        const int BatchSize = 20;
        var a = await OpenStore();
        var b = await OpenStore();

        async Task<List<(DateTimeOffset Scheduled, long Id)>> Race(SqliteJobStore store, string owner, bool reverse)
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
        Assert.Equal((long)Occurrences, Count("SELECT count(*) FROM runs"));
    }
}
