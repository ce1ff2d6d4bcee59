using System.Diagnostics;
using System.Globalization;
using ChronoFlow.IntegrationTests.Probes;
using ChronoFlow.Testing;
using Xunit.Abstractions;
using static ChronoFlow.IntegrationTests.Cluster.ClusterHistory;

namespace ChronoFlow.IntegrationTests.Cluster;

/// <summary>
/// A cluster on PostgreSQL under chaos: three processes (tests/ChronoFlow.CrashProbe) share one schema and run ten
/// every-second jobs whose runs last half a second, with a 2 s lease; every few seconds one of them is killed with
/// SIGKILL (every other time one with runs in flight) and started again, and once the database itself is stopped for
/// a few seconds. Then every node stops cleanly and the markers and the history must
/// show: no occurrence started twice, every run that started has its row, every run a killed process left is recorded
/// as Abandoned, and no occurrence was lost.
/// </summary>
/// <remarks>
/// "Lost" means an occurrence with no row at all: every occurrence of the chaos (after a warm-up, before the clean stop,
/// and outside the database outage and the writers' back-off after it) is either run, abandoned, or recorded as not
/// started (skipped as busy, coalesced, store unavailable), by one node or another. At least two nodes are up at any
/// moment, and each of them claims every occurrence. CHRONOFLOW_CHAOS_SEED replays a schedule of kills.
/// </remarks>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ClusterChaosTests(ClusterDatabase database, ITestOutputHelper output) : IDisposable
{
    private const int Nodes = 3;
    private const int Jobs = 10;
    private const int LeaseMs = 2000;

    /// <summary>How long each run lasts: long enough that a kill often finds runs in flight, which it leaves to be abandoned.</summary>
    private const int RunMs = 500;

    /// <summary>
    /// How long nodes are killed and started again, counted from when the first three are ready; longer when the
    /// machine is so slow that the outage and <see cref="MinKills"/> kills have not happened by then.
    /// </summary>
    private static readonly TimeSpan s_chaos = TimeSpan.FromSeconds(32);

    /// <summary>The fewest kills: two of them aimed at nodes with runs in flight.</summary>
    private const int MinKills = 4;

    /// <summary>When, into the chaos, the database is stopped, and for how long.</summary>
    private static readonly TimeSpan s_outageAfter = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_outage = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Occurrences not checked for loss: the first seconds (nodes warming up), the last before the stop, and around the
    /// outage, up to the writers' longest back-off (5 s) after the database is back, and a margin.
    /// </summary>
    private static readonly TimeSpan s_warmUp = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan s_coolDown = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_outageMarginBefore = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_outageMarginAfter = TimeSpan.FromSeconds(7);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [LinuxFact]
    public async Task ThreeNodes_KilledOverAndOver_AndTheDatabaseStopped_NoOccurrenceRunsTwice_NoneIsLost()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CHRONOFLOW_CHAOS_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Environment.TickCount;
        var random = new Random(seed);
        var server = database.Server;
        var schema = server.NewSchema();
        var markers = Directory.CreateDirectory(_dir.File("markers")).FullName;
        var args = ProbeArgs(server.ConnectionString, schema, markers, LeaseMs, "every-second");
        args.AddRange(["--jobs", Jobs.ToString(CultureInfo.InvariantCulture), "--job-ms", RunMs.ToString(CultureInfo.InvariantCulture)]);
        var jobs = Enumerable.Range(0, Jobs).Select(i => "job-" + i.ToString(CultureInfo.InvariantCulture)).ToList();

        var started = new List<ProbeProcess>();
        var killed = new List<ProbeProcess>();
        var events = new List<string>();
        var clock = Stopwatch.StartNew();
        var databaseDown = false;
        string Context() => $"seed {seed}; schema {schema}; what happened:\n{string.Join('\n', events.TakeLast(40))}";
        ProbeProcess Start()
        {
            var probe = ProbeProcess.Start(args);
            started.Add(probe);
            return probe;
        }

        try
        {
            var nodes = Enumerable.Range(0, Nodes).Select(_ => Start()).ToArray();
            await Task.WhenAll(nodes.Select(n => n.WaitReadyAsync($"seed {seed}: first start of {n.Node}")));
            var readyAt = Now;
            events.Add($"{Time(readyAt)} {string.Join(", ", nodes.Select(n => n.Node))} ready");

            DateTimeOffset? outageFrom = null;
            DateTimeOffset? outageTo = null;
            while (Now - readyAt < s_chaos || outageFrom is null || killed.Count < MinKills)
            {
                await Task.Delay(random.Next(1500, 3501));

                // Every other kill is aimed at a node with runs in flight, if one has within a few seconds: a kill
                // between runs leaves nothing to abandon.
                var i = killed.Count % 2 == 1 && await InFlightAsync(server.ConnectionString, schema, nodes) is { } busy ? busy : random.Next(Nodes);
                var victim = nodes[i];
                victim.Kill();
                var exit = await victim.WaitForExitAsync($"seed {seed}: kill of {victim.Node}");
                killed.Add(victim);
                events.Add($"{Time(Now)} killed {victim.Node}");

                // 128 + 9: it died of SIGKILL, not of something of its own.
                Assert.True(exit == 137, $"{victim.Node} exited with {exit}, not by SIGKILL (137); it wrote:\n{victim.Output()}\n{Context()}");

                if (outageFrom is null && Now - readyAt >= s_outageAfter)
                {
                    // The database goes away for a few seconds while a node is down; that node starts again only once
                    // the database is back (a node cannot start without its store).
                    outageFrom = Now;
                    databaseDown = true;
                    await server.StopAsync();
                    events.Add($"{Time(Now)} database stopped");
                    await Task.Delay(s_outage);
                    await server.StartAsync();
                    databaseDown = false;
                    outageTo = Now;
                    events.Add($"{Time(outageTo.Value)} database started again");
                }

                nodes[i] = Start();
                await nodes[i].WaitReadyAsync($"seed {seed}: restart {killed.Count} ({Context()})");
                events.Add($"{Time(Now)} {nodes[i].Node} ready");
            }

            var (outageStart, outageEnd) = (outageFrom!.Value, outageTo!.Value);

            // The killed processes' runs are recorded as Abandoned by the sweeps of the live nodes, once their leases end.
            var killedNodes = killed.Select(k => k.Node).ToArray();
            var leaseSql = $"SELECT count(*) FROM \"{schema}\".runs WHERE lease_until IS NOT NULL AND node = ANY($1)";
            await WaitUntilAsync(
                async () => await CountAsync(server.ConnectionString, leaseSql, (object)killedNodes) == 0,
                TimeSpan.FromSeconds(30),
                () => $"runs of killed nodes still hold their leases, 30 s after the last kill; {Context()}");

            // Every node stops cleanly, all at once: each run ends and is recorded.
            var stopAt = Now;
            var exits = await Task.WhenAll(nodes.Select(n => n.StopAsync($"seed {seed}: clean stop of {n.Node}")));
            events.Add($"{Time(Now)} all stopped");
            for (var n = 0; n < Nodes; n++)
            {
                Assert.True(exits[n] == 0, $"{nodes[n].Node} stopped with exit code {exits[n]}; it wrote:\n{nodes[n].Output()}\n{Context()}");
            }

            var found = MarkerFiles.Read(markers);
            var starts = found.Starts.ToList();
            var finished = found.Lines.Where(m => m.Event == "finished").Select(m => (m.Job, m.Scheduled, m.Node)).ToHashSet();
            var ended = found.Lines.Where(m => m.Event != "start").Select(m => (m.Job, m.Scheduled, m.Node)).ToHashSet();
            var rows = await ReadRunsAsync(server.ConnectionString, schema);
            var warnings = started.SelectMany(p => p.ErrorLines.Select(l => $"{p.Node}: {l}")).Where(l => !l.Contains("StoreWriteFailed", StringComparison.Ordinal)).TakeLast(20);
            var context = $"{Context()}\nnode warnings (last 20, without the outage's failed writes):\n{string.Join('\n', warnings)}";

            // 1. No occurrence started twice, in any process.
            var twice = starts.GroupBy(m => (m.Job, m.Scheduled)).Where(g => g.Count() > 1).ToList();
            Assert.True(twice.Count == 0, $"{twice.Count} occurrence(s) started more than once, e.g. {Describe(twice.Take(5).SelectMany(g => g), 10)}; {context}");

            // The history agrees: at most one run of an occurrence got past its claim without being abandoned.
            var claimed = rows.Where(r => r.Claimed).ToList();
            var ranTwice = claimed.Where(r => r.Outcome != RunRow.Abandoned).GroupBy(r => (r.Job, r.Scheduled)).Where(g => g.Count() > 1).ToList();
            Assert.True(ranTwice.Count == 0, $"{ranTwice.Count} occurrence(s) have more than one run that was not abandoned, e.g. {Describe(ranTwice.SelectMany(g => g), 10)}; {context}");

            // 2. Every run that started has its row, claimed by its own process before it started.
            var claims = claimed.Select(r => (r.Job, r.Scheduled, r.Node)).ToHashSet();
            var missing = starts.Where(m => !claims.Contains((m.Job, m.Scheduled, m.Node))).ToList();
            Assert.True(missing.Count == 0, $"{missing.Count} run(s) started with no row in the history, e.g. {Describe(missing)}; {context}");

            // Every run recorded as succeeded really ran to its end, in the process that recorded it.
            var ghosts = claimed.Where(r => r.Outcome == RunRow.Succeeded && !finished.Contains((r.Job, r.Scheduled, r.Node))).ToList();
            Assert.True(ghosts.Count == 0, $"{ghosts.Count} run(s) recorded as succeeded never ran, e.g. {Describe(ghosts)}; {context}");

            // 3. Nothing is left running: every run ended (the stopped nodes') or was recorded as Abandoned (the killed ones').
            var open = rows.Where(r => r.Leased || (r.Claimed && r.Outcome is null)).ToList();
            Assert.True(open.Count == 0, $"{open.Count} run(s) still hold a lease or have no outcome after the clean stop, e.g. {Describe(open)}; {context}");
            var killedSet = killedNodes.ToHashSet();
            var ofKilled = claimed.Where(r => killedSet.Contains(r.Node)).ToList();
            var killedBadly = ofKilled.Where(r => r.Outcome is not (RunRow.Succeeded or RunRow.Abandoned)).ToList();
            Assert.True(killedBadly.Count == 0, $"{killedBadly.Count} run(s) of killed nodes ended neither Succeeded nor Abandoned, e.g. {Describe(killedBadly)}; {context}");
            var abandoned = rows.Where(r => r.Outcome == RunRow.Abandoned).ToList();
            var misnamed = abandoned.Where(r => r.Error is null || !r.Error.Contains($"(node {r.Node})", StringComparison.Ordinal)).ToList();
            Assert.True(misnamed.Count == 0, $"{misnamed.Count} abandoned row(s) do not name their node, e.g. {Describe(misnamed)}; {context}");

            // Every run that a kill cut short (it started and never wrote its end) is recorded as Abandoned.
            var cutShort = starts
                .Where(m => killedSet.Contains(m.Node) && !ended.Contains((m.Job, m.Scheduled, m.Node)))
                .SelectMany(m => claimed.Where(r => r.Job == m.Job && r.Scheduled == m.Scheduled && r.Node == m.Node))
                .ToList();
            var notAbandoned = cutShort.Where(r => r.Outcome != RunRow.Abandoned).ToList();
            Assert.True(notAbandoned.Count == 0, $"{notAbandoned.Count} of the {cutShort.Count} run(s) that kills cut short are not Abandoned, e.g. {Describe(notAbandoned)}; {context}");
            var abandonedOfKilled = ofKilled.Count(r => r.Outcome == RunRow.Abandoned);
            Assert.True(abandonedOfKilled > 0, $"no kill found a run in flight, so nothing was abandoned; {context}");

            // 4. No occurrence was lost: each second of the chaos has a row, for every job.
            var from = CeilingSecond(readyAt + s_warmUp);
            var to = FloorSecond(stopAt - s_coolDown);
            var outageFromSecond = FloorSecond(outageStart - s_outageMarginBefore);
            var outageToSecond = CeilingSecond(outageEnd + s_outageMarginAfter);
            var uncovered = Uncovered(rows, jobs, from, to);
            var lost = uncovered.Where(u => u.Second < outageFromSecond || u.Second > outageToSecond).ToList();
            Assert.True(
                lost.Count == 0,
                $"{lost.Count} occurrence(s) between {Time(from)} and {Time(to)} (outside the outage, {Time(outageFromSecond)} to {Time(outageToSecond)}) have no row, "
                + $"e.g. {string.Join(", ", lost.Take(10).Select(l => $"{l.Job} at {Time(l.Second)}"))}; {context}");

            var checkedSeconds = (to - from + 1) - Math.Max(0, Math.Min(to, outageToSecond) - Math.Max(from, outageFromSecond) + 1);
            var skipped = rows.Where(r => r.Skipped != 0).GroupBy(r => r.Skipped).OrderBy(g => g.Key).Select(g => $"{g.Count()} of reason {g.Key}");
            output.WriteLine(
                $"seed {seed}: {killed.Count} kills and one database outage ({(outageEnd - outageStart).TotalSeconds:0.0} s) in {clock.Elapsed.TotalSeconds:0.0} s, "
                + $"{started.Count} processes; {starts.Count} runs started ({found.Torn} torn markers), {cutShort.Count} cut short by a kill, "
                + $"{found.Lines.Count(m => m.Event == "cancelled")} cancelled (fenced); {rows.Count} history rows: {claimed.Count} claimed, "
                + $"{claimed.Count(r => r.Outcome == RunRow.Succeeded)} succeeded, {abandoned.Count} abandoned ({abandoned.Count(r => killedSet.Contains(r.Node))} "
                + $"of killed nodes, {abandoned.Count(r => !killedSet.Contains(r.Node))} of live nodes around the outage), "
                + $"{claimed.GroupBy(r => (r.Job, r.Scheduled)).Count(g => g.Count() > 1)} occurrences claimed again after being abandoned; "
                + $"not started: {string.Join(", ", skipped)}; duplicates=0, lost=0 over {checkedSeconds} s x {Jobs} jobs "
                + $"(in the outage window {uncovered.Count - lost.Count} job-seconds had no row).");
            output.WriteLine(string.Join('\n', events));
        }
        finally
        {
            foreach (var probe in started)
            {
                probe.Dispose();
            }

            if (databaseDown)
            {
                // The other cluster tests share the server.
                await server.StartAsync();
            }
        }
    }

    /// <summary>The index of a node that holds a run's lease (a run in flight), looked for up to 3 s; null when none has.</summary>
    private static async Task<int?> InFlightAsync(string connectionString, string schema, ProbeProcess[] nodes)
    {
        var clock = Stopwatch.StartNew();
        do
        {
            var holders = await NodesHoldingLeasesAsync(connectionString, schema);
            for (var i = 0; i < nodes.Length; i++)
            {
                if (holders.Contains(nodes[i].Node))
                {
                    return i;
                }
            }

            await Task.Delay(50);
        }
        while (clock.Elapsed < TimeSpan.FromSeconds(3));

        return null;
    }
}
