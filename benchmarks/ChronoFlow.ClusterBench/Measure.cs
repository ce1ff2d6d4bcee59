using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace ChronoFlow.ClusterBench;

/// <summary>
/// The server-side counters at one instant: PostgreSQL's own (commits, transaction ids, WAL, rows per table) and the
/// CPU time every process has used so far (from /proc), so that the difference of two is what a window cost.
/// </summary>
internal sealed record ServerSnapshot(
    long Ticks,
    long XactCommit,
    long XactRollback,
    long NextXid,
    long WalRecords,
    long WalBytes,
    long WalWrite,
    long WalSync,
    Dictionary<string, long> Tuples,
    Dictionary<int, double> PostgresCpu,
    double NodesCpu,
    double MachineBusy,
    double MachineTotal)
{
    /// <summary>The harness's own transactions in the measured database between two snapshots.</summary>
    public const int HarnessCommits = 1;

    /// <summary>
    /// Reads the counters: the database-wide ones through <paramref name="monitor"/> (another database, so this costs
    /// the measured one no transaction), the per-table ones through <paramref name="db"/> (one read-only transaction
    /// in the measured database, before the database-wide read: of two snapshots, exactly one such transaction falls
    /// between their commit counts, which <see cref="HarnessCommits"/> says).
    /// </summary>
    public static async Task<ServerSnapshot> TakeAsync(NpgsqlDataSource monitor, NpgsqlDataSource db, string schema, int postmaster, IReadOnlyList<int> nodes)
    {
        var tuples = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var c = db.CreateCommand(
            "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd, n_tup_del FROM pg_stat_user_tables WHERE schemaname = $1"))
        {
            c.Parameters.Add(new NpgsqlParameter { Value = schema });
            await using var r = await c.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                var table = r.GetString(0);
                tuples[table + ".ins"] = r.GetInt64(1);
                tuples[table + ".upd"] = r.GetInt64(2);
                tuples[table + ".hot_upd"] = r.GetInt64(3);
                tuples[table + ".del"] = r.GetInt64(4);
            }
        }

        // Each statement is its own transaction, so the statistics snapshot is fresh (stats_fetch_consistency caches
        // it for a transaction). pg_snapshot_xmax(pg_current_snapshot()) is the next transaction id to be assigned,
        // read without assigning one: its difference counts the transactions that wrote.
        long commit, rollback, xid, walRecords, walBytes, walWrite, walSync;
        await using (var c = monitor.CreateCommand(
            "SELECT d.xact_commit, d.xact_rollback, pg_snapshot_xmax(pg_current_snapshot())::text::bigint, "
            + "w.wal_records, w.wal_bytes::bigint, w.wal_write, w.wal_sync "
            + "FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = $1"))
        {
            c.Parameters.Add(new NpgsqlParameter { Value = Orchestrator.BenchDatabase });
            await using var r = await c.ExecuteReaderAsync();
            await r.ReadAsync();
            (commit, rollback, xid, walRecords, walBytes, walWrite, walSync) =
                (r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6));
        }

        var (busy, total) = Cpu.Machine();
        return new ServerSnapshot(
            DateTimeOffset.UtcNow.UtcTicks, commit, rollback, xid, walRecords, walBytes, walWrite, walSync, tuples,
            Cpu.Tree(postmaster), nodes.Sum(Cpu.ProcessSeconds), busy, total);
    }
}

/// <summary>CPU seconds from /proc: of one process, of a process and its children, of the whole machine.</summary>
internal static class Cpu
{
    private static readonly double s_ticksPerSecond = ReadClockTicks();

    public static double ProcessSeconds(int pid)
    {
        var f = Stat(pid);
        return f is null ? 0 : (long.Parse(f[11], CultureInfo.InvariantCulture) + long.Parse(f[12], CultureInfo.InvariantCulture)) / s_ticksPerSecond;
    }

    /// <summary>The postmaster and every process it started (backends, WAL writer, checkpointer, ...).</summary>
    public static double TreeSeconds(int parent) => Tree(parent).Values.Sum();

    /// <summary>CPU seconds of the postmaster and of each process it started, by process id.</summary>
    public static Dictionary<int, double> Tree(int parent)
    {
        var tree = new Dictionary<int, double> { [parent] = ProcessSeconds(parent) };
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Stat(pid) is { } f
                && f[1] == parent.ToString(CultureInfo.InvariantCulture))
            {
                tree[pid] = ProcessSeconds(pid);
            }
        }

        return tree;
    }

    /// <summary>
    /// What the processes alive at <paramref name="after"/> used since <paramref name="before"/> (all of it for those
    /// started in between). A process that exited in between is left out, rather than taking its whole life's CPU
    /// away from the total, which a plain difference of sums would (the harness's pooled connection that loaded a
    /// million rows, closed by the pool in a later window, made one window's sum negative).
    /// </summary>
    public static double Delta(Dictionary<int, double> before, Dictionary<int, double> after)
        => after.Sum(p => p.Value - before.GetValueOrDefault(p.Key));

    /// <summary>Busy and total CPU seconds of the machine since boot, all cores (the first line of /proc/stat).</summary>
    public static (double Busy, double Total) Machine()
    {
        var line = File.ReadLines("/proc/stat").First();
        var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(x => long.Parse(x, CultureInfo.InvariantCulture)).ToArray();

        // user nice system idle iowait irq softirq steal (guest time is already in user).
        var total = v.Take(8).Sum();
        var idle = v[3] + v[4];
        return ((total - idle) / s_ticksPerSecond, total / s_ticksPerSecond);
    }

    /// <summary>The fields of /proc/PID/stat after the command name: [0] is the state, [1] the parent, [11] utime, [12] stime.</summary>
    private static string[]? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            return text[(text.LastIndexOf(')') + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static double ReadClockTicks()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false });
            var text = p!.StandardOutput.ReadToEnd().Trim();
            p.WaitForExit();
            return double.Parse(text, CultureInfo.InvariantCulture);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return 100;
        }
    }
}

/// <summary>
/// Samples what PostgreSQL's backends are doing, every 100 ms, during a window: a poor man's profile of the server.
/// Per sample it counts the non-idle client backends of the database by wait event ("CPU" when active and waiting on
/// nothing), and the WAL writer's state.
/// </summary>
internal sealed class WaitSampler : IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Task _loop;
    private long _samples;

    public WaitSampler(NpgsqlDataSource db)
    {
        _db = db;
        _loop = Task.Run(LoopAsync);
    }

    public long Samples => _samples;

    public IReadOnlyDictionary<string, long> Counts => _counts;

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }

        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

    }

    private async Task LoopAsync()
    {
        await using var connection = await _db.OpenConnectionAsync(_stop.Token);
        await using var command = new NpgsqlCommand(
            "SELECT CASE WHEN backend_type = 'client backend' THEN state ELSE backend_type END, "
            + "CASE WHEN wait_event IS NULL THEN 'CPU' ELSE wait_event_type || ':' || wait_event END "
            + "FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            + "AND ((backend_type = 'client backend' AND datname = '" + Orchestrator.BenchDatabase + "' AND state <> 'idle') OR backend_type = 'walwriter')",
            connection);
        while (!_stop.IsCancellationRequested)
        {
            await using (var r = await command.ExecuteReaderAsync(_stop.Token))
            {
                while (await r.ReadAsync(_stop.Token))
                {
                    var key = (r.IsDBNull(0) ? "?" : r.GetString(0)) + " " + r.GetString(1);
                    _counts[key] = _counts.GetValueOrDefault(key) + 1;
                }
            }

            _samples++;
            await Task.Delay(100, _stop.Token);
        }
    }
}
