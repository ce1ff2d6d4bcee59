using System.Diagnostics;
using System.Text.Json.Nodes;
using Npgsql;

namespace ChronoFlow.ClusterBench;

/// <summary>
/// How long a pause or resume asked for on one node takes to reach another: the scenario <c>cf-propagation</c>. Run in
/// the harness process itself: two hard-mode <see cref="JobScheduler"/>s on <see cref="TimeProvider.System"/>, A and
/// B, each with its own <see cref="PostgreSqlJobStore"/> (so its own connections, and with notifications its own
/// LISTEN connection) on the scenario's schema, both registering the same job (cron once a year: never due). Then, N
/// times, alternately, <c>A.Pause(id)</c> or <c>A.Resume(id)</c>, and B's <see cref="JobScheduler.GetJob"/> polled
/// every millisecond until its status says the same. Measured from the call on A (the scheduler's flush is internal:
/// A's write of the change to the store is part of the time) to the first poll of B that sees it. Twice: with the
/// store's defaults (B LISTENs, A's write NOTIFYs) and with <see cref="PostgreSqlJobStoreOptions.TransactionPooling"/>
/// on both (statements still prepared), which turns LISTEN/NOTIFY off, so that B learns of the change only at its sync on the maintenance tick (a
/// third of the lease: 3.3 s at the default 10 s). Before each change the harness waits a random time up to one tick,
/// so that the changes fall at random instants of B's tick rather than just after it (which would measure the worst
/// case every time).
/// </summary>
internal sealed partial class Orchestrator
{
    private static readonly TimeSpan s_propagationTimeout = TimeSpan.FromSeconds(20);

    private async Task<JsonObject> PropagationAsync(NpgsqlDataSource db, Scenario s)
    {
        var schema = "cf_" + s.Name.Replace('-', '_');
        await ExecAsync(db, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        await CreateChronoFlowSchemaAsync(db, schema, s);
        try
        {
            var lease = new SchedulerOptions().LeaseDuration;
            var result = new JsonObject
            {
                ["name"] = s.Name,
                ["engine"] = s.Engine,
                ["nodes"] = 2,
                ["leaseSeconds"] = lease.TotalSeconds,
                ["syncTickMs"] = Math.Round(lease.TotalMilliseconds / 3, 1),
                ["loadAverageBefore"] = LoadAverage(),
            };
            result["notify"] = await PropagateAsync(schema, notify: true, changes: 40, lease / 3);
            result["noNotify"] = await PropagateAsync(schema, notify: false, changes: 20, lease / 3);
            result["loadAverageAfter"] = LoadAverage();
            return result;
        }
        finally
        {
            await ExecAsync(db, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    private async Task<JsonObject> PropagateAsync(string schema, bool notify, int changes, TimeSpan tick)
    {
        using var logging = NodeLoop.Logging();
        var jobId = notify ? "prop-notify" : "prop-poll";
        PostgreSqlJobStore Store() => new(new PostgreSqlJobStoreOptions
        {
            ConnectionString = notify ? _bench : NoNotifyConnection,
            Schema = schema,
            RetentionInterval = Timeout.InfiniteTimeSpan,
            TransactionPooling = !notify,
        });

        await using var storeA = Store();
        await using var storeB = Store();
        await using var a = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Hard, Store = storeA, NodeName = "prop-a" }, TimeProvider.System, logging);
        await using var b = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Hard, Store = storeB, NodeName = "prop-b" }, TimeProvider.System, logging);
        var never = Schedule.Cron("0 0 0 1 1 *");
        a.AddOrUpdate(jobId, never, static (_, _) => default);
        b.AddOrUpdate(jobId, never, static (_, _) => default);
        await a.StartAsync();
        await b.StartAsync();

        // Both have written the job's state and synced once before the first change.
        await Task.Delay(tick + TimeSpan.FromSeconds(1));

        var random = new Random(notify ? 1 : 2);
        var times = new List<double>();
        for (var i = 0; i < changes; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * tick.TotalMilliseconds));
            var target = i % 2 == 0 ? JobStatus.Paused : JobStatus.Scheduled;
            var sw = Stopwatch.StartNew();
            var asked = target == JobStatus.Paused ? a.Pause(jobId) : a.Resume(jobId);
            if (!asked)
            {
                throw new InvalidOperationException($"Node A does not know job '{jobId}'.");
            }

            while (b.GetJob(jobId)?.Status != target)
            {
                if (sw.Elapsed > s_propagationTimeout)
                {
                    throw new TimeoutException($"Node B did not see job '{jobId}' {target} within {s_propagationTimeout.TotalSeconds:F0} s (notify {notify}).");
                }

                await Task.Delay(1);
            }

            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        await a.StopAsync();
        await b.StopAsync();
        return Stats(times);
    }

    /// <summary>p50, p99 and max of some milliseconds (nearest rank), and every value.</summary>
    private static JsonObject Stats(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        double? Rank(double q) => sorted.Count == 0 ? null : Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Count) - 1)], 1);
        return new JsonObject
        {
            ["samples"] = sorted.Count,
            ["minMs"] = Rank(0),
            ["p50Ms"] = Rank(0.50),
            ["p99Ms"] = Rank(0.99),
            ["maxMs"] = Rank(1.0),
            ["valuesMs"] = new JsonArray([.. values.Select(v => (JsonNode)Math.Round(v, 1))]),
        };
    }
}
