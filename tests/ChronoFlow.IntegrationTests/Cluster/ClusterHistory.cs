using System.Diagnostics;
using System.Globalization;
using ChronoFlow.IntegrationTests.Probes;
using Npgsql;

namespace ChronoFlow.IntegrationTests.Cluster;

/// <summary>One row of the PostgreSQL store's run history (<c>&lt;schema&gt;.runs</c>), read as any SQL client would.</summary>
internal sealed record RunRow(long Id, string Job, long Scheduled, bool Manual, string Node, bool Leased, int? Outcome, int Skipped, long Count, string? Error, long? Started)
{
    public const int Succeeded = 0;
    public const int Abandoned = 4;
    public const int Coalesced = 6;

    /// <summary>Gets whether this is the row of a scheduled run that was claimed and not skipped: it started, or was about to.</summary>
    public bool Claimed => Skipped == 0 && !Manual;

    /// <summary>
    /// Gets the whole seconds (UTC ticks / ticks per second) of the occurrences of an every-second job that this row
    /// stands for: a run's one; a skip's <see cref="Count"/> from its scheduled time on; a coalesced skip's the
    /// <see cref="Count"/> after it (its first occurrence is the run the others were coalesced into).
    /// </summary>
    public IEnumerable<long> Seconds()
    {
        var first = Scheduled / TimeSpan.TicksPerSecond;
        return Skipped switch
        {
            0 => [first],
            Coalesced => Range(first + 1, Count),
            _ => Range(first, Count),
        };

        static IEnumerable<long> Range(long from, long count)
        {
            for (var i = 0L; i < count; i++)
            {
                yield return from + i;
            }
        }
    }

    public override string ToString() =>
        $"#{Id} {Job} at {new DateTime(Scheduled, DateTimeKind.Utc):HH:mm:ss.fff} node {Node} "
        + $"{(Leased ? "running" : Outcome is { } o ? "outcome " + o.ToString(CultureInfo.InvariantCulture) : "skipped " + Skipped.ToString(CultureInfo.InvariantCulture) + " x" + Count.ToString(CultureInfo.InvariantCulture))}";
}

/// <summary>Reads the store's tables and waits on them; the shared pieces of the cluster tests.</summary>
internal static class ClusterHistory
{
    /// <summary>Gets the system clock, which every node without a skew and the database share (one machine).</summary>
    public static DateTimeOffset Now => TimeProvider.System.GetUtcNow();

    /// <summary>The probe's arguments for a node on the PostgreSQL store.</summary>
    public static List<string> ProbeArgs(string connectionString, string schema, string markers, int leaseMs, string scenario) =>
        ["--store", "postgresql:" + connectionString, "--schema", schema, "--markers", markers, "--lease-ms", leaseMs.ToString(CultureInfo.InvariantCulture), "--scenario", scenario];

    public static async Task<List<RunRow>> ReadRunsAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"SELECT id, job_id, scheduled, manual, node, lease_until IS NOT NULL, outcome, skipped, count, error, started FROM \"{schema}\".runs ORDER BY id",
            connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<RunRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new RunRow(
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetInt64(2),
                reader.GetBoolean(3),
                reader.GetString(4),
                reader.GetBoolean(5),
                reader.IsDBNull(6) ? null : reader.GetInt32(6),
                reader.GetInt32(7),
                reader.GetInt64(8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.IsDBNull(10) ? null : reader.GetInt64(10)));
        }

        return rows;
    }

    /// <summary>The nodes that hold a lease now: runs in flight, or left by a killed node and not yet abandoned.</summary>
    public static async Task<HashSet<string>> NodesHoldingLeasesAsync(string connectionString, string schema)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT DISTINCT node FROM \"{schema}\".runs WHERE lease_until IS NOT NULL", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var nodes = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            nodes.Add(reader.GetString(0));
        }

        return nodes;
    }

    public static async Task<long> CountAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Checks a condition every 200 ms until it holds, or fails saying what was awaited once <paramref name="timeout"/> has passed.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < timeout, $"{what()} (waited {timeout.TotalSeconds:0} s)");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// The (job, second) pairs of every-second jobs within [<paramref name="from"/>, <paramref name="to"/>] that no row
    /// stands for: occurrences that were lost, neither run nor recorded as not started.
    /// </summary>
    public static List<(string Job, long Second)> Uncovered(IEnumerable<RunRow> rows, IEnumerable<string> jobs, long from, long to)
    {
        var covered = rows.SelectMany(r => r.Seconds().Select(s => (r.Job, s))).ToHashSet();
        return [.. jobs.SelectMany(j => Seconds(from, to).Where(s => !covered.Contains((j, s))).Select(s => (j, s)))];
    }

    /// <summary>The first whole second at or after an instant.</summary>
    public static long CeilingSecond(DateTimeOffset at) => (at.UtcTicks + TimeSpan.TicksPerSecond - 1) / TimeSpan.TicksPerSecond;

    /// <summary>The last whole second at or before an instant.</summary>
    public static long FloorSecond(DateTimeOffset at) => at.UtcTicks / TimeSpan.TicksPerSecond;

    public static string Time(long second) => new DateTime(second * TimeSpan.TicksPerSecond, DateTimeKind.Utc).ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    public static string Describe(IEnumerable<Marker> markers, int max = 5) => string.Join("; ", markers.Take(max));

    public static string Describe(IEnumerable<RunRow> rows, int max = 5) => string.Join("; ", rows.Take(max));

    private static IEnumerable<long> Seconds(long from, long to)
    {
        for (var s = from; s <= to; s++)
        {
            yield return s;
        }
    }
}
