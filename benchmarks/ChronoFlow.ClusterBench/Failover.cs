using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;

namespace ChronoFlow.ClusterBench;

/// <summary>
/// What a node killed in the middle of its runs costs: the scenario <c>cf-failover</c>. Each round starts two
/// ChronoFlow node processes on the scenario's schema, both registering the same one-time jobs (<c>HotJobs</c> of
/// them), due a few seconds after the nodes start, whose bodies sleep 120 s (cancellable), with every option at its
/// default: lease 10 s, and RecoverAbandoned, which for a one-time job means run it again. Once every job's run is
/// running (a row with a lease) and a random 0 to 3.3 s more has passed (so that the kill falls at any instant of the
/// owner's lease renewal), the node holding the most running rows is killed with SIGKILL. The harness then polls the
/// runs table every 100 ms until each of the killed node's runs is recorded Abandoned (outcome 4, by the other node's
/// sweep) and a rerun of the same occurrence has been claimed by the survivor, and checks at every poll that no
/// occurrence has two rows holding a lease. The survivor is then stopped (its reruns cancelled at once, so their rows
/// say when each body started) and the rows are read: per run, the kill to the abandoned row's <c>ended</c> (the
/// sweeping node's clock; the kill instant is the harness's clock, the same machine's) and to the rerun's
/// <c>started</c> (when its body began).
/// </summary>
internal sealed partial class Orchestrator
{
    private const int FailoverRounds = 5;
    private const int FailoverSleepSeconds = 120;
    private static readonly TimeSpan s_failoverTimeout = TimeSpan.FromSeconds(60);

    private async Task<JsonObject> FailoverAsync(NpgsqlDataSource db, Scenario s)
    {
        var schema = "cf_" + s.Name.Replace('-', '_');
        await ExecAsync(db, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        await CreateChronoFlowSchemaAsync(db, schema, s);
        var lease = new SchedulerOptions().LeaseDuration;
        var result = new JsonObject
        {
            ["name"] = s.Name,
            ["engine"] = s.Engine,
            ["nodes"] = s.Nodes,
            ["jobsPerRound"] = s.HotJobs,
            ["rounds"] = FailoverRounds,
            ["sleepSeconds"] = FailoverSleepSeconds,
            ["leaseSeconds"] = lease.TotalSeconds,
            ["sweepTickSeconds"] = Math.Round(lease.TotalSeconds / 3, 2),
            ["boundSeconds"] = Math.Round(lease.TotalSeconds * 4 / 3, 2),
            ["loadAverageBefore"] = LoadAverage(),
        };
        var runs = new JsonArray();
        var toAbandoned = new List<double>();
        var toRerun = new List<double>();
        long doubleLeases = 0;
        long overlapping = 0;
        try
        {
            var random = new Random(3);
            for (var round = 1; round <= FailoverRounds; round++)
            {
                var prefix = "r" + round.ToString(CultureInfo.InvariantCulture);
                var nodes = new List<NodeProcess>();
                try
                {
                    // Due 8 s from now: time enough for two cold starts on a loaded machine (a node that starts late
                    // still runs it: the default misfire policy runs a missed occurrence once).
                    var dueAt = DateTimeOffset.UtcNow.AddSeconds(8).UtcTicks;
                    for (var i = 0; i < s.Nodes; i++)
                    {
                        nodes.Add(NodeProcess.Start("chronoflow-node", $"{s.Name}/{prefix}/node-{i + 1}",
                        [
                            "--connection", _bench, "--schema", schema, "--node", $"{prefix}-node-{i + 1}",
                            "--once", s.HotJobs.ToString(CultureInfo.InvariantCulture), "--once-prefix", prefix,
                            "--once-at", dueAt.ToString(CultureInfo.InvariantCulture),
                            "--sleep", FailoverSleepSeconds.ToString(CultureInfo.InvariantCulture),
                        ]));
                    }

                    foreach (var n in nodes)
                    {
                        await n.WaitReadyAsync(s_readyTimeout);
                    }

                    var like = $"once-{prefix}-%";
                    await WaitAsync(db, $"SELECT count(*) FROM {schema}.runs WHERE job_id LIKE $1 AND lease_until IS NOT NULL", like, s.HotJobs, s_failoverTimeout, "every run running");
                    await Task.Delay(TimeSpan.FromMilliseconds(random.NextDouble() * lease.TotalMilliseconds / 3));

                    // The victim: the node that holds the most running rows.
                    var held = new List<(long Id, string JobId, long Scheduled, string Node)>();
                    await using (var c = db.CreateCommand($"SELECT id, job_id, scheduled, node FROM {schema}.runs WHERE job_id LIKE $1 AND lease_until IS NOT NULL"))
                    {
                        c.Parameters.Add(new NpgsqlParameter { Value = like });
                        await using var r = await c.ExecuteReaderAsync();
                        while (await r.ReadAsync())
                        {
                            held.Add((r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3)));
                        }
                    }

                    var victimName = held.GroupBy(h => h.Node).OrderByDescending(g => g.Count()).First().Key;
                    var victimIndex = nodes.FindIndex(n => n.Name.EndsWith("/" + victimName[(prefix.Length + 1)..], StringComparison.Ordinal));
                    var victimRuns = held.Where(h => h.Node == victimName).ToList();
                    var killedAt = await nodes[victimIndex].KillNowAsync();
                    var survivor = nodes[1 - victimIndex];
                    Console.Error.WriteLine($"cluster: {s.Name}: round {round}: killed {victimName} (SIGKILL) holding {victimRuns.Count} of {held.Count} running runs");

                    // Poll until every run of the victim is abandoned and rerun (claimed again), checking on the way
                    // that no occurrence ever has two rows holding a lease.
                    var ids = victimRuns.Select(v => v.Id).ToArray();
                    var sw = Stopwatch.StartNew();
                    while (true)
                    {
                        await using (var c = db.CreateCommand(
                            $"SELECT count(*) FROM (SELECT 1 FROM {schema}.runs WHERE job_id LIKE $1 AND lease_until IS NOT NULL GROUP BY job_id, scheduled HAVING count(*) > 1) d"))
                        {
                            c.Parameters.Add(new NpgsqlParameter { Value = like });
                            doubleLeases += (long)(await c.ExecuteScalarAsync())!;
                        }

                        long done;
                        await using (var c = db.CreateCommand(
                            $"SELECT count(*) FROM {schema}.runs a JOIN {schema}.runs b ON b.job_id = a.job_id AND b.scheduled = a.scheduled AND b.id > a.id "
                            + "WHERE a.id = ANY($1) AND a.outcome = 4"))
                        {
                            c.Parameters.Add(new NpgsqlParameter { Value = ids });
                            done = (long)(await c.ExecuteScalarAsync())!;
                        }

                        if (done >= ids.Length)
                        {
                            break;
                        }

                        if (sw.Elapsed > s_failoverTimeout)
                        {
                            throw new TimeoutException($"Round {round}: {done} of {ids.Length} runs of the killed node were abandoned and rerun within {s_failoverTimeout.TotalSeconds:F0} s.");
                        }

                        await Task.Delay(100);
                    }

                    // The reruns' bodies have begun (or are about to): let them, then stop the survivor, which cancels
                    // them and writes their rows with the bodies' start times.
                    await Task.Delay(TimeSpan.FromSeconds(1));
                    await survivor.StopAsync(TimeSpan.FromSeconds(60));

                    await using (var c = db.CreateCommand(
                        $"SELECT a.job_id, a.scheduled, a.node, a.ended, b.node, b.started, b.outcome, b.ended "
                        + $"FROM {schema}.runs a JOIN {schema}.runs b ON b.job_id = a.job_id AND b.scheduled = a.scheduled AND b.id > a.id "
                        + "WHERE a.id = ANY($1) ORDER BY a.job_id"))
                    {
                        c.Parameters.Add(new NpgsqlParameter { Value = ids });
                        await using var r = await c.ExecuteReaderAsync();
                        while (await r.ReadAsync())
                        {
                            var ended = r.GetInt64(3);
                            var rerunStarted = r.GetInt64(5);
                            var abandonedS = (ended - killedAt) / (double)TimeSpan.TicksPerSecond;
                            var rerunS = (rerunStarted - killedAt) / (double)TimeSpan.TicksPerSecond;
                            toAbandoned.Add(abandonedS);
                            toRerun.Add(rerunS);
                            if (rerunStarted < ended)
                            {
                                overlapping++;
                            }

                            runs.Add(new JsonObject
                            {
                                ["round"] = round,
                                ["jobId"] = r.GetString(0),
                                ["killedNode"] = r.GetString(2),
                                ["rerunNode"] = r.GetString(4),
                                ["killToAbandonedSeconds"] = Math.Round(abandonedS, 3),
                                ["killToRerunStartedSeconds"] = Math.Round(rerunS, 3),
                                ["rerunOutcome"] = r.IsDBNull(6) ? null : ((JobOutcome)r.GetInt32(6)).ToString(),
                            });
                        }
                    }

                    if (runs.Count(x => (int?)x!["round"] == round) != ids.Length)
                    {
                        throw new InvalidOperationException($"Round {round}: {ids.Length} runs killed, but {runs.Count(x => (int?)x!["round"] == round)} abandoned-and-rerun pairs read.");
                    }
                }
                finally
                {
                    foreach (var n in nodes)
                    {
                        await n.DisposeAsync();
                    }
                }
            }

            // Over the whole scenario: an occurrence whose body started in two rows other than an abandoned one and
            // its rerun would be a run twice; and no (job, scheduled) may have more than one row that is not abandoned.
            await using (var c = db.CreateCommand(
                $"SELECT count(*) FROM (SELECT 1 FROM {schema}.runs WHERE started IS NOT NULL AND NOT manual AND outcome IS DISTINCT FROM 4 GROUP BY job_id, scheduled HAVING count(*) > 1) d"))
            {
                result["duplicates"] = (long)(await c.ExecuteScalarAsync())!;
            }

            await using (var c = db.CreateCommand($"SELECT count(*) FILTER (WHERE outcome = 4), count(*) FILTER (WHERE started IS NOT NULL AND NOT manual) FROM {schema}.runs"))
            {
                await using var r = await c.ExecuteReaderAsync();
                await r.ReadAsync();
                result["abandonedRows"] = r.GetInt64(0);
                result["startedRows"] = r.GetInt64(1);
            }

            result["pollsWithTwoLeases"] = doubleLeases;
            result["rerunsStartedBeforeAbandoned"] = overlapping;
            result["killToAbandoned"] = Seconds(toAbandoned);
            result["killToRerunStarted"] = Seconds(toRerun);
            result["runs"] = runs;
            result["loadAverageAfter"] = LoadAverage();
            return result;
        }
        finally
        {
            await ExecAsync(db, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    private static JsonObject Seconds(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        double? Rank(double q) => sorted.Count == 0 ? null : Math.Round(sorted[Math.Max(0, (int)Math.Ceiling(q * sorted.Count) - 1)], 2);
        return new JsonObject { ["samples"] = sorted.Count, ["minSeconds"] = Rank(0), ["p50Seconds"] = Rank(0.5), ["maxSeconds"] = Rank(1) };
    }

    private static async Task WaitAsync(NpgsqlDataSource db, string sql, string parameter, long expected, TimeSpan timeout, string what)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            await using var c = db.CreateCommand(sql);
            c.Parameters.Add(new NpgsqlParameter { Value = parameter });
            var n = (long)(await c.ExecuteScalarAsync())!;
            if (n >= expected)
            {
                return;
            }

            if (sw.Elapsed > timeout)
            {
                throw new TimeoutException($"Waiting for {what}: {n} of {expected} after {timeout.TotalSeconds:F0} s.");
            }

            await Task.Delay(100);
        }
    }
}
