using ChronoFlow.Testing;

namespace ChronoFlow.PostgreSql.Tests;

/// <summary>Leases run on the database server's clock: a node whose clock is years off neither keeps nor loses runs.</summary>
public sealed class ClockTests(PostgresServer server) : StoreTests(server)
{
    private static readonly DateTimeOffset Past = new(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Future = new(2099, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Lease_OfANodeWhoseClockIsYearsAhead_EndsByTheDatabaseClock()
    {
        var dead = await OpenStore();
        var sweeper = await OpenStore();

        // A lease of zero ends at the claim's own database time. By the node's clock it would last until 2099, and a
        // store on node clocks would keep the run forever; the sweeper's clock, far behind, would never see it end.
        var id = (await new Batch("dead", Future, lease: TimeSpan.Zero).Claim("report", Past).WriteTo(dead)).ClaimIds[0];

        // The sweep is a later transaction, so the database's now() has passed the lease: no waiting is needed.
        var run = Assert.Single(await sweeper.AbandonExpiredAsync(Past, CancellationToken.None));

        Assert.Equal((id, JobOutcome.Abandoned), (run.Id, run.Outcome));

        // The end recorded is the sweeping node's clock, as every time in history is a node's.
        Assert.Equal(Past, run.EndedTime);
    }

    [Fact]
    public async Task Lease_SweptByANodeWhoseClockIsYearsAhead_IsKeptWhileTheDatabaseClockSaysItRuns()
    {
        var store = await OpenStore();
        var sweeper = await OpenStore();
        var id = (await new Batch("alive", Past, lease: TimeSpan.FromMinutes(5)).Claim("report", Past).WriteTo(store)).ClaimIds[0];

        // By the sweeper's clock (2099) the lease (2001 plus five minutes) ended long ago.
        var abandoned = await sweeper.AbandonExpiredAsync(Future, CancellationToken.None);

        Assert.Empty(abandoned);
        var renewed = await new Batch("alive", Past.AddSeconds(30), lease: TimeSpan.FromMinutes(5)).Renew(id).WriteTo(store);
        Assert.Empty(renewed.Fenced);
        var finished = await new Batch("alive", Past.AddMinutes(1)).Finish(id, "report").WriteTo(store);
        Assert.Empty(finished.Fenced);
        Assert.Equal(JobOutcome.Succeeded, (await Single(store, "report")).Outcome);
    }

    [Fact]
    public async Task Lease_RenewedByTheDatabaseClock_OutlivesItsFirstEnd()
    {
        var store = await OpenStore();
        var lease = TimeSpan.FromSeconds(2);
        var id = (await new Batch("p1", Future, lease: lease).Claim("report", Past).WriteTo(store)).ClaimIds[0];
        var first = await Scalar($"SELECT lease_until FROM {{s}}.runs WHERE id = {id}");

        // Renewed with a lease of an hour: now() plus an hour, whatever the batch's clock says (here: 2001).
        await new Batch("p1", Past, lease: TimeSpan.FromHours(1)).Renew(id).WriteTo(store);

        Assert.True((bool)(await Scalar($"SELECT lease_until > now() + interval '59 minutes' AND lease_until > '{first:O}'::timestamptz FROM {{s}}.runs WHERE id = {id}"))!);
        Assert.Empty(await store.AbandonExpiredAsync(Future, CancellationToken.None));
    }

    [Fact]
    public async Task Scheduler_OnANodeWhoseClockIsMinutesAhead_RunsOnTheDatabaseClock()
    {
        // The node's clock is ten minutes ahead of the database's (the same machine's, here) and stands still.
        var skewed = new TestClock();
        skewed.Skew = DateTimeOffset.UtcNow.AddMinutes(10) - TestClock.Epoch;
        var options = new SchedulerOptions { Mode = SchedulerMode.Soft, ShutdownTimeout = TimeSpan.Zero, Store = NewStore(), NodeName = "skewed" };
        await using var scheduler = new JobScheduler(options, skewed);
        var runs = new RunRecorder();
        scheduler.AddOrUpdate("minutely", Schedule.Cron("* * * * *"), runs.Action);
        scheduler.AddOrUpdate("every-20s", Schedule.Every(TimeSpan.FromSeconds(20)), runs.Action);
        scheduler.AddOrUpdate("at-start", Schedule.Startup, runs.Action);

        await scheduler.StartAsync();

        // Its scheduler runs on the database's clock, so the job's next run is within the database's next minute, not
        // ten minutes out; and the registry shows it alive by the database's clock.
        var databaseNow = (DateTime)(await Scalar("SELECT clock_timestamp()"))!;
        var schedulerNow = scheduler.TimeProvider.GetUtcNow();
        Assert.InRange((schedulerNow - databaseNow).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(5));
        var next = scheduler.GetJob("minutely")!.NextRun!.Value;
        Assert.InRange(next - databaseNow, TimeSpan.Zero, TimeSpan.FromSeconds(65));
        var list = await scheduler.GetNodesAsync();
        var node = Assert.Single(list.Nodes);
        Assert.Equal(("skewed", NodeStatus.Running), (node.Node, node.GetStatus(list.Now)));
        Assert.InRange((list.Now - databaseNow).Duration(), TimeSpan.Zero, TimeSpan.FromSeconds(5));

        // The jobs were registered before the store's clock was known, on the node's own: they wait on the database's
        // clock all the same. The startup job runs at start, not ten minutes later, and the others when they fall due
        // by the database's clock.
        await scheduler.PumpAndWaitAsync();
        Assert.Equal(["at-start"], runs.Runs.Select(r => r.JobId));
        var every20s = scheduler.GetJob("every-20s")!.NextRun!.Value;
        Assert.InRange(every20s - schedulerNow, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        skewed.Advance(next - schedulerNow);
        await scheduler.PumpAndWaitAsync();
        Assert.Equal([next], runs.ScheduledTimes("minutely"));
        Assert.Contains(every20s, runs.ScheduledTimes("every-20s"));
    }
}
