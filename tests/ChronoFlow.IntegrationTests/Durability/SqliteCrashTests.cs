using System.Diagnostics;
using System.Globalization;
using ChronoFlow.IntegrationTests.Probes;
using ChronoFlow.Testing;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace ChronoFlow.IntegrationTests.Durability;

/// <summary>
/// The SQLite store under <c>kill -9</c>: a process running many short jobs (tests/ChronoFlow.CrashProbe) is killed at
/// random moments, over and over, then a last process runs cleanly; the database must open, no occurrence may have run
/// twice, and every run that started must be in the history.
/// </summary>
/// <remarks>
/// What the guarantee allows to be lost, and so what is not asserted: a run killed mid-flight is recorded as Abandoned
/// (its row exists); the occurrences that fell due while no process ran are the misfire policy's at the next start
/// (RunOnce by default: one run stands for all that were missed), so not every occurrence in wall-clock time runs.
/// </remarks>
[Trait("Category", "Integration")]
public sealed class SqliteCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int LeaseMs = 1000;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [LinuxFact]
    public async Task KilledOverAndOver_NoOccurrenceRunsTwice_AndEveryStartedRunIsInHistory()
    {
        // CHRONOFLOW_CRASH_SEED replays a failing run; CHRONOFLOW_CRASH_KILLS makes a longer one.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("CHRONOFLOW_CRASH_SEED"), CultureInfo.InvariantCulture, out var s) ? s : Environment.TickCount;
        var kills = int.TryParse(Environment.GetEnvironmentVariable("CHRONOFLOW_CRASH_KILLS"), CultureInfo.InvariantCulture, out var k) ? Math.Max(k, 1) : 200;
        var random = new Random(seed);
        var database = _dir.File("store.db");
        var markers = Directory.CreateDirectory(_dir.File("markers")).FullName;
        var stderr = new List<string>();
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < kills; i++)
        {
            using var probe = StartProbe(database, markers, runMs: null);
            await probe.WaitReadyAsync($"seed {seed}, kill {i}");
            await Task.Delay(random.Next(0, 301));
            probe.Kill();
            var exit = await probe.WaitForExitAsync($"seed {seed}, kill {i}");

            // 128 + 9: the process died of SIGKILL, not of something of its own.
            Assert.True(exit == 137, $"seed {seed}, kill {i}: the probe exited with {exit}, not by SIGKILL (137); it wrote:\n{string.Join('\n', probe.ErrorLines)}");
            stderr.AddRange(probe.ErrorLines);
        }

        var killing = clock.Elapsed;

        // A clean pass of three leases and a half: the sweep records every run that a killed process left running as
        // Abandoned, then the process stops, ending and recording its own runs.
        int finalPid;
        int? finalExit;
        string finalOutput;
        using (var last = StartProbe(database, markers, runMs: (3 * LeaseMs) + 500))
        {
            await last.WaitReadyAsync($"seed {seed}, final pass");
            finalExit = await last.TryWaitForExitAsync();
            finalPid = last.Id;
            finalOutput = string.Join('\n', last.Lines.Concat(last.ErrorLines).TakeLast(20));
        }

        var found = MarkerFiles.Read(markers);
        var history = History.Read(database);
        var context = $"seed {seed}, {kills} kills; probe warnings (last 20):\n{string.Join('\n', stderr.TakeLast(20))}";

        // The database opens and is whole.
        Assert.Equal("ok", history.Integrity);

        // No occurrence ran twice, in any process.
        var twice = found.Lines.GroupBy(m => (m.Job, m.Scheduled)).Where(g => g.Count() > 1).ToList();
        Assert.True(twice.Count == 0, $"{twice.Count} occurrence(s) ran more than once, e.g. {Describe(twice.Take(5).SelectMany(g => g))}; {context}");

        // Every run that started is in the history: its claim was committed before it started, by its own process.
        var claimed = history.Claimed.Select(r => (r.Job, r.Scheduled, r.Node)).ToHashSet();
        var missing = found.Lines.Where(m => !claimed.Contains((m.Job, m.Scheduled, "probe-" + m.Pid))).ToList();
        Assert.True(missing.Count == 0, $"{missing.Count} run(s) started with no row in the history, e.g. {Describe(missing.Take(5))}; {context}");

        // The clean pass stopped by itself (every run ended and was written) and exited 0.
        Assert.True(finalExit == 0, $"seed {seed}: the final pass {(finalExit is { } e ? $"exited with {e}" : "did not exit within a minute of its end and was killed")}; it wrote (last 20 lines):\n{finalOutput}");

        // Nothing is left running: the killed processes' runs are Abandoned, the last process's own runs ended.
        var running = history.Rows.Where(r => r.LeaseUntil is not null).ToList();
        Assert.True(running.Count == 0, $"{running.Count} row(s) still hold a lease after the clean pass, e.g. ids {string.Join(", ", running.Take(5).Select(r => r.Id))}; {context}");
        var open = history.Claimed.Where(r => r.Outcome is null).ToList();
        Assert.True(open.Count == 0, $"{open.Count} claimed run(s) have no outcome, e.g. ids {string.Join(", ", open.Take(5).Select(r => r.Id))}; {context}");

        // Every run recorded as succeeded really ran, in the process that recorded it.
        var marked = found.Lines.Select(m => (m.Job, m.Scheduled, "probe-" + m.Pid)).ToHashSet();
        var ghosts = history.Claimed.Where(r => r.Outcome == 0 && !marked.Contains((r.Job, r.Scheduled, r.Node))).ToList();
        Assert.True(ghosts.Count == 0, $"{ghosts.Count} run(s) recorded as succeeded never ran, e.g. ids {string.Join(", ", ghosts.Take(5).Select(r => r.Id))}; {context}");

        // The history agrees: at most one run of an occurrence got past its start without being abandoned.
        var ranTwice = history.Claimed.Where(r => r.Outcome != 4).GroupBy(r => (r.Job, r.Scheduled)).Count(g => g.Count() > 1);
        Assert.True(ranTwice == 0, $"{ranTwice} occurrence(s) have more than one run in the history that was not abandoned; {context}");

        // And the scheduler still works after all of it: the clean pass ran jobs.
        var finalRuns = found.Lines.Count(m => m.Pid == finalPid);
        Assert.True(finalRuns > 0, $"the final pass ran no job; {context}");

        var abandoned = history.Claimed.Count(r => r.Outcome == 4);
        output.WriteLine(
            $"seed {seed}: {kills} kills in {killing.TotalSeconds:0.0} s, {clock.Elapsed.TotalSeconds:0.0} s in all; {history.Rows.Count} history rows, "
            + $"{history.Claimed.Count} runs claimed, {history.Claimed.Count(r => r.Outcome == 0)} succeeded, {abandoned} abandoned, "
            + $"{history.Rows.Count - history.Claimed.Count} occurrences not started (skipped or missed); {found.Lines.Count} markers "
            + $"({found.Lines.Count / (double)(kills + 1):0.0} per process, {finalRuns} in the final pass), {found.Torn} torn; 0 occurrences ran twice.");
    }

    /// <summary>
    /// The same process with no kill at all: it runs for two seconds and stops by itself. Each occurrence starts once, and
    /// the stop returns once every run has ended and been written.
    /// </summary>
    [LinuxFact]
    public async Task CleanRun_NoOccurrenceRunsTwice_AndStopReturns()
    {
        var database = _dir.File("store.db");
        var markers = Directory.CreateDirectory(_dir.File("markers")).FullName;
        int? exit;
        string written;
        using (var probe = StartProbe(database, markers, runMs: 2000))
        {
            await probe.WaitReadyAsync("clean run");
            exit = await probe.TryWaitForExitAsync();
            written = string.Join('\n', probe.Lines.Concat(probe.ErrorLines).TakeLast(20));
        }

        var found = MarkerFiles.Read(markers);
        Assert.True(found.Lines.Count > 0, "the probe ran no job");
        var twice = found.Lines.GroupBy(m => (m.Job, m.Scheduled)).Where(g => g.Count() > 1).ToList();
        Assert.True(twice.Count == 0, $"{twice.Count} of {found.Lines.Count} runs started an occurrence that had already started, e.g. {Describe(twice.Take(3).SelectMany(g => g))}; the probe wrote (last 20 lines):\n{written}");
        Assert.True(exit == 0, $"the probe {(exit is { } e ? $"exited with {e}" : "did not exit within a minute of its end and was killed")}; it wrote (last 20 lines):\n{written}");

        var history = History.Read(database);
        Assert.Equal("ok", history.Integrity);
        Assert.DoesNotContain(history.Rows, r => r.LeaseUntil is not null);
        Assert.Equal(found.Lines.Count, history.Claimed.Count(r => r.Outcome == 0));
    }

    /// <summary>tests/ChronoFlow.CrashProbe on the SQLite file, in its interval scenario: ten jobs due every 20 to 47 ms.</summary>
    private static ProbeProcess StartProbe(string database, string markers, int? runMs)
    {
        List<string> args = ["--store", "sqlite:" + database, "--markers", markers, "--lease-ms", LeaseMs.ToString(CultureInfo.InvariantCulture), "--scenario", "interval"];
        if (runMs is { } ms)
        {
            args.AddRange(["--run-ms", ms.ToString(CultureInfo.InvariantCulture)]);
        }

        return ProbeProcess.Start(args);
    }

    private static string Describe(IEnumerable<Marker> markers) => string.Join("; ", markers.Select(m => $"{m.Job} at {m.Scheduled} in pid {m.Pid}"));

    private sealed record Row(long Id, string Job, long Scheduled, string Node, long? LeaseUntil, int? Outcome, int Skipped, bool Manual);

    private sealed class History
    {
        public required string Integrity { get; init; }

        public required List<Row> Rows { get; init; }

        /// <summary>Gets the rows of scheduled runs that were claimed and not skipped: the runs that started, or were about to.</summary>
        public List<Row> Claimed => [.. Rows.Where(r => r.Skipped == 0 && !r.Manual)];

        /// <summary>Opens the database directly, as any SQLite client would, and reads the whole history.</summary>
        public static History Read(string path)
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            connection.Open();
            using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            var integrity = string.Join('\n', Read(check, r => r.GetString(0)));
            using var select = connection.CreateCommand();
            select.CommandText = "SELECT id, job_id, scheduled, node, lease_until, outcome, skipped, manual FROM runs ORDER BY id";
            var rows = Read(select, r => new Row(
                r.GetInt64(0),
                r.GetString(1),
                r.GetInt64(2),
                r.GetString(3),
                r.IsDBNull(4) ? null : r.GetInt64(4),
                r.IsDBNull(5) ? null : r.GetInt32(5),
                r.GetInt32(6),
                r.GetInt64(7) != 0));
            return new History { Integrity = integrity, Rows = rows };
        }

        private static List<T> Read<T>(SqliteCommand command, Func<SqliteDataReader, T> read)
        {
            var list = new List<T>();
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                list.Add(read(reader));
            }

            return list;
        }
    }
}
