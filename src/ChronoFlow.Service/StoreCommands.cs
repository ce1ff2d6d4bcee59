using System.Globalization;
using System.Text;

namespace ChronoFlow.Service;

/// <summary>
/// <c>status</c>, <c>history</c> and <c>nodes</c>: read the store the service writes, so an operator can see what
/// happened while no one watched and which processes share it. They read only; services may be running on the same
/// store at the same time. (<see cref="AdminCommands"/> are the ones that write.)
/// </summary>
internal static class StoreCommands
{
    /// <returns>0 after printing; 1 when the store cannot be read.</returns>
    public static async Task<int> StatusAsync(ServiceOptions options, CancellationToken cancellationToken)
    {
        if (Open(options, out var store) is { } error)
        {
            await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
            return 1;
        }

        await using ((IAsyncDisposable)store!)
        {
            IReadOnlyList<JobState> states;
            try
            {
                states = await store!.OpenAsync(options.Node, cancellationToken).ConfigureAwait(false);
            }
            catch (JobStoreException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return 1;
            }

            var rows = new List<string[]> { new[] { "JOB", "SCHEDULE", "STATE", "NEXT RUN", "LAST RUN", "LAST OUTCOME", "RUNS", "FAILED", "SKIPPED", "MISSED", "ABANDONED" } };
            foreach (var s in states.OrderBy(static s => s.JobId, StringComparer.Ordinal))
            {
                rows.Add(
                [
                    s.JobId,
                    s.Schedule,
                    s.Paused ? "paused" : s.NextOccurrence is null ? "completed" : "scheduled",
                    Time(s.NextOccurrence),
                    Time(s.LastRun),
                    s.LastOutcome?.ToString() ?? "never run",
                    Count(s.RunCount),
                    Count(s.FailureCount),
                    Count(s.SkipCount + s.RejectedCount),
                    Count(s.MisfireCount),
                    Count(s.AbandonedCount),
                ]);
            }

            Console.Write(Table(rows));
            Console.WriteLine($"{states.Count} job(s) in {Name(store)}");
            return 0;
        }
    }

    /// <returns>0 after printing (even no runs); 1 when the store cannot be read.</returns>
    public static async Task<int> HistoryAsync(ServiceOptions options, CancellationToken cancellationToken)
    {
        if (Open(options, out var store) is { } error)
        {
            await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
            return 1;
        }

        await using ((IAsyncDisposable)store!)
        {
            IReadOnlyList<RunRecord> runs;
            try
            {
                await store!.OpenAsync(options.Node, cancellationToken).ConfigureAwait(false);
                runs = await store.GetRunsAsync(options.HistoryJob!, new RunQuery(options.HistoryCount), cancellationToken).ConfigureAwait(false);
            }
            catch (JobStoreException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return 1;
            }

            if (runs.Count == 0)
            {
                Console.WriteLine($"No runs of job {options.HistoryJob} in {Name(store)}.");
                return 0;
            }

            var rows = new List<string[]> { new[] { "RUN", "SCHEDULED", "STARTED", "DURATION", "OUTCOME", "ATTEMPT", "NODE", "ERROR" } };
            foreach (var r in runs)
            {
                rows.Add(
                [
                    r.Id.ToString(CultureInfo.InvariantCulture),
                    Time(r.ScheduledTime),
                    Time(r.StartedTime),
                    r.Duration is { } d ? d.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture) + " s" : "-",
                    Outcome(r),
                    r.Attempt == 0 ? "-" : r.Attempt.ToString(CultureInfo.InvariantCulture),
                    r.Node,
                    OneLine(r.Error),
                ]);
            }

            Console.Write(Table(rows));
            return 0;
        }
    }

    /// <returns>0 after printing (even no node); 1 when the store cannot be read.</returns>
    public static async Task<int> NodesAsync(ServiceOptions options, CancellationToken cancellationToken)
    {
        if (Open(options, out var store) is { } error)
        {
            await Console.Error.WriteLineAsync(error).ConfigureAwait(false);
            return 1;
        }

        await using ((IAsyncDisposable)store!)
        {
            NodeList list;
            try
            {
                await store!.OpenAsync(options.Node, cancellationToken).ConfigureAwait(false);
                list = await store.GetNodesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (JobStoreException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return 1;
            }

            if (list.Nodes.Count == 0)
            {
                Console.WriteLine($"No process has sent a heartbeat to {Name(store)} yet.");
                return 0;
            }

            // A SQLite file has no clock: its times are those of the processes that share it, on this machine. The
            // PostgreSQL store reads the database's, by which every node's heartbeat was timed.
            var now = store is SqliteJobStore ? TimeProvider.System.GetUtcNow() : list.Now;
            var rows = new List<string[]> { new[] { "NODE", "HOST:PID", "STATUS", "LAST SEEN", "JOBS", "RUNNING", "VERSION" } };
            var counts = new Dictionary<NodeStatus, int>();
            foreach (var n in list.Nodes.OrderBy(static n => n.Node, StringComparer.Ordinal).ThenByDescending(static n => n.Started).ThenBy(static n => n.Owner, StringComparer.Ordinal))
            {
                var status = n.GetStatus(now);
                counts[status] = counts.GetValueOrDefault(status) + 1;
                rows.Add(
                [
                    n.Node,
                    $"{n.Host}:{n.ProcessId.ToString(CultureInfo.InvariantCulture)}",
                    status.ToString().ToLowerInvariant(),
                    Ago(now - n.LastSeen),
                    Count(n.Jobs),
                    Count(n.Running),
                    ShortVersion(n.Version),
                ]);
            }

            Console.Write(Table(rows));
            Console.WriteLine(
                $"{list.Nodes.Count} process(es) in {Name(store)}: {counts.GetValueOrDefault(NodeStatus.Running)} running, "
                + $"{counts.GetValueOrDefault(NodeStatus.Stopped)} stopped, {counts.GetValueOrDefault(NodeStatus.Lost)} lost");
            return 0;
        }
    }

    /// <summary>How long ago, in the largest whole unit: <c>3 s ago</c>, <c>5 min ago</c>, <c>2 h ago</c>, <c>4 d ago</c>.</summary>
    /// <remarks>A time ahead of now (another machine's clock runs ahead) is <c>0 s ago</c>.</remarks>
    private static string Ago(TimeSpan elapsed)
    {
        var seconds = Math.Max(0, (long)elapsed.TotalSeconds);
        var (value, unit) = seconds switch
        {
            < 60 => (seconds, "s"),
            < 3600 => (seconds / 60, "min"),
            < 86400 => (seconds / 3600, "h"),
            _ => (seconds / 86400, "d"),
        };
        return $"{value.ToString(CultureInfo.InvariantCulture)} {unit} ago";
    }

    /// <summary>A version with its commit cut to 7 characters: <c>0.1.0+c10f201</c>.</summary>
    private static string ShortVersion(string version)
    {
        if (version.Length == 0)
        {
            return "-";
        }

        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 && version.Length > plus + 8 ? version[..(plus + 8)] : version;
    }

    /// <summary>The run's outcome as an operator reads it: how it ended, why it did not start, or that it still runs.</summary>
    internal static string Outcome(RunRecord r) => r switch
    {
        { Outcome: { } o } => o.ToString(),
        { Skipped: SkipReason.None } => "Running",
        { Count: > 1 } => $"{(r.Skipped == SkipReason.Misfired ? "Missed" : "Skipped")} x{r.Count} ({r.Skipped})",
        _ => $"{(r.Skipped == SkipReason.Misfired ? "Missed" : "Skipped")} ({r.Skipped})",
    };

    /// <summary>Opens the store named by <c>--store</c>; an error when there is none to read (or, for <paramref name="write"/>, to write to).</summary>
    /// <remarks>A SQLite file that does not exist is not created: a mistyped path would otherwise hold what no service reads.</remarks>
    internal static string? Open(ServiceOptions options, out IJobStore? store, bool write = false)
    {
        store = null;
        switch (options.Store.Kind)
        {
            case "sqlite":
                var path = options.Store.Target!;
                if (!File.Exists(path))
                {
                    return $"No job store at {path}: the service has not run with it yet (or it runs with another --store).";
                }

                store = new SqliteJobStore(path);
                return null;
            case "postgresql":
                try
                {
                    store = new PostgreSqlJobStore(options.Store.Target!);
                    return null;
                }
                catch (ArgumentException ex)
                {
                    return $"--store postgresql:...: {ex.Message}";
                }

            default:
                return $"--store memory keeps nothing between runs, so there is nothing to {(write ? "write to" : "read")}; name the service's store, as in --store sqlite:PATH.";
        }
    }

    /// <summary>The store as messages name it: the SQLite file, or the PostgreSQL host, database and schema.</summary>
    internal static string Name(IJobStore store) => store is SqliteJobStore sqlite ? sqlite.Path : store.ToString() ?? "the store";

    private static string Time(DateTimeOffset? time) => time is { } t ? IsoTime.Format(t) : "-";

    private static string Count(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string OneLine(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }

        var line = text.ReplaceLineEndings(" ");
        return line.Length <= 120 ? line : line[..117] + "...";
    }

    /// <summary>Columns padded to their widest cell, two spaces apart; the last column is not padded.</summary>
    private static string Table(List<string[]> rows)
    {
        var widths = new int[rows[0].Length];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        var text = new StringBuilder();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                text.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i] + 2));
            }

            text.Append('\n');
        }

        return text.ToString();
    }
}
