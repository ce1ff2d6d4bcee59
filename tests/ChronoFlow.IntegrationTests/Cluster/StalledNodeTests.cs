using System.Globalization;
using ChronoFlow.IntegrationTests.Probes;
using ChronoFlow.Testing;
using Xunit.Abstractions;
using static ChronoFlow.IntegrationTests.Cluster.ClusterHistory;

namespace ChronoFlow.IntegrationTests.Cluster;

/// <summary>
/// Fencing with a real stall: node A is stopped with SIGSTOP in the middle of a long run, past its lease; node B records
/// A's run as Abandoned and runs the occurrence again; when A is continued, its lease renewal is refused, so its run is
/// cancelled (its token fires) and its late outcome refused. The history then holds exactly one Abandoned row by A and
/// one Succeeded row by B for the occurrence.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class StalledNodeTests(ClusterDatabase database, ITestOutputHelper output) : IDisposable
{
    private const int LeaseMs = 2000;

    private static readonly TimeSpan s_markerWait = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [LinuxFact]
    public async Task NodeStoppedPastItsLease_IsFenced_ItsRunCancelled_AndAnotherNodeRunsTheOccurrence()
    {
        var server = database.Server;
        var schema = server.NewSchema();
        var markers = Directory.CreateDirectory(_dir.File("markers")).FullName;

        // The one occurrence, at the next whole second but one: already past when a slow start makes A late, which
        // the misfire policy runs at once all the same.
        var atTime = new DateTimeOffset((FloorSecond(Now) + 2) * TimeSpan.TicksPerSecond, TimeSpan.Zero);
        var at = atTime.ToUnixTimeMilliseconds();
        var atTicks = atTime.UtcTicks;
        List<string> Args(int jobMs)
        {
            var args = ProbeArgs(server.ConnectionString, schema, markers, LeaseMs, "long-run");
            args.AddRange(["--at", at.ToString(CultureInfo.InvariantCulture), "--job-ms", jobMs.ToString(CultureInfo.InvariantCulture)]);
            return args;
        }

        ProbeProcess? a = null;
        ProbeProcess? b = null;
        try
        {
            // A's run would last a minute: it can only end early by being cancelled.
            a = ProbeProcess.Start(Args(jobMs: 60_000));
            await a.WaitReadyAsync("node A");
            var aStart = await MarkerFiles.WaitForAsync(markers, m => m.Pid == a.Id && m.Event == "start", s_markerWait, "node A starts its run");

            a.Signal(ProbeProcess.SigStop);
            var stoppedAt = Now;

            // B starts once A's claim is in: B does not claim the occurrence itself (A's stored state says it is taken)
            // and can only run it by finding A's lease ended, recording the run as Abandoned, and recovering it.
            b = ProbeProcess.Start(Args(jobMs: 1500));
            await b.WaitReadyAsync("node B");
            var bStart = await MarkerFiles.WaitForAsync(markers, m => m.Pid == b.Id && m.Event == "start", s_markerWait, $"node B runs the occurrence A abandoned; B wrote:\n{b.Output()}");
            var stalled = Now - stoppedAt;

            a.Signal(ProbeProcess.SigCont);
            var aEnd = await MarkerFiles.WaitForAsync(markers, m => m.Pid == a.Id && m.Event != "start", s_markerWait, $"node A's run ends once continued; A wrote:\n{a.Output()}");
            var bEnd = await MarkerFiles.WaitForAsync(markers, m => m.Pid == b.Id && m.Event != "start", s_markerWait, $"node B's run ends; B wrote:\n{b.Output()}");

            var aExit = await a.StopAsync("node A's clean stop");
            var bExit = await b.StopAsync("node B's clean stop");
            var rows = await ReadRunsAsync(server.ConnectionString, schema);
            var context = $"A ({a.Node}) wrote:\n{a.Output()}\nB ({b.Node}) wrote:\n{b.Output()}\nhistory:\n{string.Join('\n', rows)}";

            Assert.Equal(atTicks, aStart.Scheduled);
            Assert.Equal(atTicks, bStart.Scheduled);

            // A's run was cancelled when its renewal was refused; it did not run to its end. B's ran to its end.
            Assert.True(aEnd.Event == "cancelled", $"A's run ended '{aEnd.Event}', not cancelled; {context}");
            Assert.True(bEnd.Event == "finished", $"B's run ended '{bEnd.Event}', not finished; {context}");
            Assert.Contains(a.ErrorLines, l => l.Contains("RunFenced", StringComparison.Ordinal));

            // Exactly one Abandoned row by A and one Succeeded row by B: A's late Cancelled outcome was refused.
            Assert.True(rows.Count == 2, $"{rows.Count} history rows, not 2; {context}");
            Assert.Contains(rows, r => r.Node == a.Node && r.Job == "long-run" && r.Scheduled == atTicks && !r.Leased && r.Outcome == RunRow.Abandoned && r.Skipped == 0);
            Assert.Contains(rows, r => r.Node == b.Node && r.Job == "long-run" && r.Scheduled == atTicks && !r.Leased && r.Outcome == RunRow.Succeeded && r.Skipped == 0);

            Assert.True(aExit == 0, $"A stopped with exit code {aExit}; {context}");
            Assert.True(bExit == 0, $"B stopped with exit code {bExit}; {context}");
            output.WriteLine($"A ({a.Node}) stopped for {stalled.TotalSeconds:0.0} s with a {LeaseMs} ms lease; A's run: {aEnd.Event}; B's: {bEnd.Event}; history:\n{string.Join('\n', rows)}");
        }
        finally
        {
            // Dispose continues a stopped process before it kills it.
            b?.Dispose();
            a?.Dispose();
        }
    }
}
