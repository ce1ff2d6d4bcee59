using System.Globalization;
using ChronoFlow.IntegrationTests.Probes;
using ChronoFlow.Testing;
using Xunit.Abstractions;
using static ChronoFlow.IntegrationTests.Cluster.ClusterHistory;

namespace ChronoFlow.IntegrationTests.Cluster;

/// <summary>
/// Nodes whose clocks disagree, by 90 s either way (more than the misfire grace period of a minute), share every-second
/// jobs: no occurrence may start twice, and none in the window may be missed (each second has a row).
/// </summary>
/// <remarks>
/// The nodes start one after another, each once the one before is up, and each restores the job states the others
/// stored (the last writer's next occurrence). In the order of the first test, slow, right, fast, the right clock's node
/// and the fast one each start from a cursor in their past, which the misfire policy handles, and the right one then
/// claims every second as it comes. The second test starts the fast node first.
/// </remarks>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class SkewedClockTests(ClusterDatabase database, ITestOutputHelper output) : IDisposable
{
    private const int Jobs = 5;
    private const int LeaseMs = 2000;
    private static readonly TimeSpan s_run = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_warmUp = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_coolDown = TimeSpan.FromSeconds(2);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [LinuxFact]
    public Task NodesNinetySecondsApart_NoOccurrenceRunsTwice_NoneIsMissed() => RunAsync([-90, 0, 90]);

    /// <summary>
    /// The fast node first: on a new schema it is the first to store next occurrences. Its scheduler runs on the
    /// database's clock (measured at start, before its jobs take their first occurrence), so it stores them on that
    /// clock, and the nodes after it neither wait 90 s for them nor miss any.
    /// </summary>
    [LinuxFact]
    public Task FastNodeFirst_NoOccurrenceRunsTwice_NoneIsMissed() => RunAsync([90, 0, -90]);

    private async Task RunAsync(int[] skews)
    {
        var server = database.Server;
        var schema = server.NewSchema();
        var markers = Directory.CreateDirectory(_dir.File("markers")).FullName;
        var jobs = Enumerable.Range(0, Jobs).Select(i => "job-" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var nodes = new List<(int Skew, ProbeProcess Probe)>();
        try
        {
            foreach (var skew in skews)
            {
                var args = ProbeArgs(server.ConnectionString, schema, markers, LeaseMs, "every-second");
                args.AddRange(["--jobs", Jobs.ToString(CultureInfo.InvariantCulture), "--skew-seconds", skew.ToString(CultureInfo.InvariantCulture)]);
                var probe = ProbeProcess.Start(args);
                nodes.Add((skew, probe));
                await probe.WaitReadyAsync($"the node {skew:+0;-0;0} s off");
            }

            var readyAt = Now;
            await Task.Delay(s_run);
            var stopAt = Now;
            var exits = await Task.WhenAll(nodes.Select(n => n.Probe.StopAsync($"clean stop of the node {n.Skew:+0;-0;0} s off")));

            var found = MarkerFiles.Read(markers);
            var starts = found.Starts.ToList();
            var rows = await ReadRunsAsync(server.ConnectionString, schema);
            string Name(string node) => nodes.Where(n => n.Probe.Node == node).Select(n => $"{node} ({n.Skew:+0;-0;0} s)").FirstOrDefault() ?? node;
            var context = string.Join('\n', nodes.Select(n => $"{Name(n.Probe.Node)} wrote:\n{n.Probe.Output()}"));

            for (var i = 0; i < nodes.Count; i++)
            {
                Assert.True(exits[i] == 0, $"{Name(nodes[i].Probe.Node)} stopped with exit code {exits[i]}; {context}");
            }

            // No occurrence started twice, in any process; nor was any claimed twice.
            var twice = starts.GroupBy(m => (m.Job, m.Scheduled)).Where(g => g.Count() > 1).ToList();
            Assert.True(twice.Count == 0, $"{twice.Count} occurrence(s) started more than once, e.g. {Describe(twice.Take(5).SelectMany(g => g), 10)}; {context}");
            var claimed = rows.Where(r => r.Claimed).ToList();
            var claimedTwice = claimed.GroupBy(r => (r.Job, r.Scheduled)).Where(g => g.Count() > 1).ToList();
            Assert.True(claimedTwice.Count == 0, $"{claimedTwice.Count} occurrence(s) were claimed more than once, e.g. {Describe(claimedTwice.SelectMany(g => g), 10)}; {context}");

            // None is missed: every second of the window (on the database's clock, which is this machine's) has a row.
            var from = CeilingSecond(readyAt + s_warmUp);
            var to = FloorSecond(stopAt - s_coolDown);
            var missed = Uncovered(rows, jobs, from, to);
            Assert.True(
                missed.Count == 0,
                $"{missed.Count} occurrence(s) between {Time(from)} and {Time(to)} have no row, e.g. {string.Join(", ", missed.Take(10).Select(l => $"{l.Job} at {Time(l.Second)}"))}; "
                + $"rows near the window: {Describe(rows.Where(r => r.Seconds().Any(s => s >= from - 2 && s <= to)), 20)}; {context}");

            // Nor is any started late: a node that slept through its share (its jobs waiting on its own clock, say) would
            // leave it to the late claims of the others, seconds after it fell due. Started is the claiming node's
            // clock, which runs on the database's. Three leases is when another node claims a share that its live
            // owner did not; the bound is half of that.
            var bound = TimeSpan.FromMilliseconds(LeaseMs * 3 / 2).Ticks;
            var late = claimed.Where(r => r.Started is { } started && started - r.Scheduled > bound && r.Scheduled / TimeSpan.TicksPerSecond >= from && r.Scheduled / TimeSpan.TicksPerSecond <= to).ToList();
            Assert.True(
                late.Count == 0,
                $"{late.Count} occurrence(s) in the window started more than {TimeSpan.FromTicks(bound).TotalSeconds} s late, e.g. "
                + $"{string.Join(", ", late.Take(10).Select(r => $"{r} {TimeSpan.FromTicks(r.Started!.Value - r.Scheduled).TotalSeconds:0.000} s late"))}; {context}");

            var ran = claimed.Where(r => r.Scheduled / TimeSpan.TicksPerSecond >= from && r.Scheduled / TimeSpan.TicksPerSecond <= to).Select(r => (r.Job, r.Scheduled / TimeSpan.TicksPerSecond)).ToHashSet();
            output.WriteLine(
                $"{to - from + 1} s x {Jobs} jobs checked ({Time(from)} to {Time(to)}): duplicates=0, missed=0, latest start {TimeSpan.FromTicks(claimed.Where(r => r.Started is not null).Select(r => r.Started!.Value - r.Scheduled).DefaultIfEmpty().Max()).TotalMilliseconds:0} ms after its occurrence; {(to - from + 1) * Jobs - ran.Count} of them have only a row "
                + $"of an occurrence not started (no run); runs by node: {string.Join(", ", nodes.Select(n => $"{n.Skew:+0;-0;0} s: {starts.Count(m => m.Pid == n.Probe.Id)}"))}; "
                + $"{rows.Count} history rows, not started: {string.Join(", ", rows.Where(r => r.Skipped != 0).GroupBy(r => (r.Node, r.Skipped)).Select(g => $"{Name(g.Key.Node)} reason {g.Key.Skipped} x{g.Count()}"))}");
        }
        finally
        {
            foreach (var (_, probe) in nodes)
            {
                probe.Dispose();
            }
        }
    }
}
