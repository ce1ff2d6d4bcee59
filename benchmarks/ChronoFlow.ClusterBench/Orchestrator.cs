using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;

namespace ChronoFlow.ClusterBench;

/// <summary>One measured configuration: which scheduler, how many processes, what the store holds and what is offered.</summary>
/// <param name="Name">The scenario's id in the results.</param>
/// <param name="Engine"><c>chronoflow</c> or <c>quartz</c>.</param>
/// <param name="Nodes">Processes sharing the schema.</param>
/// <param name="HotJobs">Jobs due every second: the offered load in runs a second.</param>
/// <param name="ColdJobs">Jobs stored and scheduled once a year, never due in the run.</param>
/// <param name="HistoryRows">History rows inserted before the nodes start (ten per job, old).</param>
/// <param name="NoNotify">ChronoFlow: the nodes' stores run with <see cref="PostgreSqlJobStoreOptions.TransactionPooling"/>, so without LISTEN/NOTIFY (statements still prepared: see <see cref="Orchestrator"/>'s NoNotifyConnection).</param>
internal sealed record Scenario(string Name, string Engine, int Nodes, int HotJobs, int ColdJobs = 0, long HistoryRows = 0, bool NoNotify = false)
{
    public int StoredJobs => HotJobs + ColdJobs;
}

/// <summary>
/// Runs the scenarios against one PostgreSQL server, each in a fresh schema with fresh node processes: start, wait
/// until every node runs and the store holds every job, warm up, measure a window between two snapshots, stop, then
/// read the runs table. Writes every number to a JSON file that benchmarks/assemble_cluster.py turns into the page.
/// </summary>
internal sealed partial class Orchestrator(string connectionString, TimeSpan warmUp, TimeSpan window, int threads)
{
    /// <summary>The database the nodes use, created afresh by the harness.</summary>
    public const string BenchDatabase = "chronoflow_bench";

    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromMinutes(3);

    private readonly string _bench = new NpgsqlConnectionStringBuilder(connectionString) { Database = BenchDatabase }.ConnectionString;

    /// <summary>
    /// The connection string of a store without LISTEN/NOTIFY. TransactionPooling also turns off the store's automatic
    /// statement preparation, unless the connection string asks for it (the store sets Max Auto Prepare = 32 only when it
    /// is 0 and TransactionPooling is off): asked for here, with the store's own value, so that the scenarios without
    /// NOTIFY differ from those with it in the listening only.
    /// </summary>
    private string NoNotifyConnection => new NpgsqlConnectionStringBuilder(_bench) { MaxAutoPrepare = 32 }.ConnectionString;

    /// <summary>Gets how many scenarios failed; their entries in the results say why.</summary>
    public int Failed { get; private set; }

    public static IReadOnlyList<Scenario> Defaults(int saturating, int moderate, int quartz) =>
    [
        new("store-profile", "profile", 0, 1_000),
        new("cf-1node-3500", "chronoflow", 1, 3_500),
        new("cf-1node-saturated", "chronoflow", 1, saturating),
        new("cf-3nodes-saturated", "chronoflow", 3, saturating),
        new("cf-1node-1k", "chronoflow", 1, moderate),
        new("cf-1node-1k-nonotify", "chronoflow", 1, moderate, NoNotify: true),
        new("cf-1node-100k", "chronoflow", 1, moderate, 100_000 - moderate, 1_000_000),
        new("cf-3nodes-1k", "chronoflow", 3, moderate),
        new("quartz-1node", "quartz", 1, quartz),
        new("quartz-3nodes", "quartz", 3, quartz),
        new("cf-propagation", "propagation", 2, 1),
        new("cf-failover", "failover", 2, 10),
    ];

    public async Task<JsonArray> RunAsync(IEnumerable<Scenario> scenarios, string output)
    {
        // The nodes get a database of their own; the harness watches from the one it was given (the maintenance
        // database), so that its own queries (the wait sampler's ten a second) are not counted in the nodes' commits.
        await using (var admin = NpgsqlDataSource.Create(connectionString))
        {
            await ExecAsync(admin, $"DROP DATABASE IF EXISTS {BenchDatabase} WITH (FORCE)");
            await ExecAsync(admin, $"CREATE DATABASE {BenchDatabase}");
        }

        await using var monitor = NpgsqlDataSource.Create(connectionString);
        await using var db = NpgsqlDataSource.Create(_bench);
        var postmaster = await PostmasterPidAsync(db);
        var results = new JsonArray();
        foreach (var scenario in scenarios)
        {
            Console.Error.WriteLine(scenario.Engine switch
            {
                "propagation" => $"cluster: {scenario.Name}: two schedulers in this process, pause/resume on one seen by the other, with and without NOTIFY",
                "failover" => $"cluster: {scenario.Name}: {scenario.Nodes} node processes, {scenario.HotJobs} long one-time runs, one node killed (SIGKILL), {FailoverRounds} rounds",
                _ => $"cluster: {scenario.Name}: {scenario.Engine}, {scenario.Nodes} node(s), {scenario.HotJobs:N0} jobs due every second, {scenario.StoredJobs:N0} stored{(scenario.NoNotify ? ", TransactionPooling (no LISTEN/NOTIFY)" : "")}",
            });
            JsonObject result;
            try
            {
                result = scenario.Engine switch
                {
                    "profile" => await ProfileAsync(db, postmaster, scenario),
                    "propagation" => await PropagationAsync(db, scenario),
                    "failover" => await FailoverAsync(db, scenario),
                    _ => await RunOneAsync(db, monitor, postmaster, scenario),
                };
                Console.Error.WriteLine($"cluster: {scenario.Name}: {(scenario.Engine is "chronoflow" or "quartz" ? Summary(result) : result.ToJsonString())}");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One scenario that fails (a node that dies, a timeout) is reported as failed; the others still run.
                Console.Error.WriteLine($"cluster: {scenario.Name} FAILED: {ex}");
                result = new JsonObject { ["name"] = scenario.Name, ["engine"] = scenario.Engine, ["nodes"] = scenario.Nodes, ["error"] = ex.Message };
                Failed++;
            }

            results.Add(result);
            await File.WriteAllTextAsync(output, results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        }

        return results;
    }

    private async Task<JsonObject> ProfileAsync(NpgsqlDataSource db, int postmaster, Scenario s)
    {
        var schema = "cf_" + s.Name.Replace('-', '_');
        await ExecAsync(db, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        await ExecAsync(db, "CHECKPOINT");
        try
        {
            var result = await StoreProfile.RunAsync(db, _bench, schema, postmaster);
            result["name"] = s.Name;
            result["engine"] = s.Engine;
            result["loadAverage"] = LoadAverage();
            return result;
        }
        finally
        {
            await ExecAsync(db, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    private static string Summary(JsonObject r) => string.Create(
        CultureInfo.InvariantCulture,
        $"{(double?)r["completedPerSecond"]:N0} runs/s of {(double?)r["offeredPerSecond"]:N0} offered; {(double?)r["commitsPerRun"]:F4} commits/run; p50 {(double?)r["latencyP50Ms"]:F1} ms, p99 {(double?)r["latencyP99Ms"]:F1} ms; duplicates {(long?)r["duplicates"]}");

    private async Task<JsonObject> RunOneAsync(NpgsqlDataSource db, NpgsqlDataSource monitor, int postmaster, Scenario s)
    {
        var schema = (s.Engine == "quartz" ? "qz_" : "cf_") + s.Name.Replace('-', '_');
        await ExecAsync(db, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        var setup = Stopwatch.StartNew();
        if (s.Engine == "quartz")
        {
            await CreateQuartzSchemaAsync(db, schema);
        }
        else
        {
            await CreateChronoFlowSchemaAsync(db, schema, s);
        }

        var setupSeconds = setup.Elapsed.TotalSeconds;

        // Whatever the previous scenario left dirty is written now, not during this one's window.
        await ExecAsync(db, "CHECKPOINT");
        var loadBefore = LoadAverage();
        var nodes = new List<NodeProcess>();
        try
        {
            var start = Stopwatch.StartNew();
            for (var i = 0; i < s.Nodes; i++)
            {
                // Quartz takes a pooled connection per busy thread (64 a node): three nodes at Npgsql's default pool
                // of 100 each went past the server's max_connections (100) and had check-ins refused. Each Quartz
                // node of a cluster gets 90 / nodes; ChronoFlow's nodes use a couple each and keep the default.
                var connection = s.Engine == "quartz" && s.Nodes > 1
                    ? new NpgsqlConnectionStringBuilder(_bench) { MaxPoolSize = 90 / s.Nodes }.ConnectionString
                    : s.NoNotify ? NoNotifyConnection : _bench;
                var args = new List<string>
                {
                    "--connection", connection, "--schema", schema, "--node", $"node-{i + 1}",
                    "--hot", s.HotJobs.ToString(CultureInfo.InvariantCulture), "--cold", s.ColdJobs.ToString(CultureInfo.InvariantCulture),
                    "--threads", threads.ToString(CultureInfo.InvariantCulture),
                };
                if (s.NoNotify)
                {
                    args.AddRange(["--transaction-pooling", "true"]);
                }

                if (s.Engine == "quartz" && i == 0)
                {
                    // One node stores the jobs and their triggers, in one transaction, before the others join.
                    args.AddRange(["--schedule", "true"]);
                }

                nodes.Add(NodeProcess.Start(s.Engine == "quartz" ? "quartz-node" : "chronoflow-node", $"{s.Name}/node-{i + 1}", args));
                if (s.Engine == "quartz" && i == 0)
                {
                    await nodes[0].WaitReadyAsync(s_readyTimeout);
                }
            }

            foreach (var n in nodes)
            {
                await n.WaitReadyAsync(s_readyTimeout);
            }

            if (s.Engine == "chronoflow")
            {
                // The first write of a node stores every job's state (100,000 rows in the largest scenario): the
                // warm-up starts once it is in.
                await WaitForJobStatesAsync(db, schema, s.StoredJobs);
            }

            var startSeconds = start.Elapsed.TotalSeconds;
            var tables = new JsonArray();
            await using (var c = db.CreateCommand("SELECT tablename FROM pg_tables WHERE schemaname = $1 ORDER BY 1"))
            {
                c.Parameters.Add(new NpgsqlParameter { Value = schema });
                await using var r = await c.ExecuteReaderAsync();
                while (await r.ReadAsync())
                {
                    tables.Add(r.GetString(0));
                }
            }

            await Task.Delay(warmUp);

            var pids = nodes.Select(n => n.Pid).ToList();
            var self = Process.GetCurrentProcess();
            var selfCpu0 = self.TotalProcessorTime.TotalSeconds;
            var node0 = await Task.WhenAll(nodes.Select(n => n.SnapAsync()));
            var server0 = await ServerSnapshot.TakeAsync(monitor, db, schema, postmaster, pids);
            ServerSnapshot server1;
            NodeSnapshot[] node1;
            var sampler = new WaitSampler(monitor);
            try
            {
                await Task.Delay(window);
                server1 = await ServerSnapshot.TakeAsync(monitor, db, schema, postmaster, pids);
                node1 = await Task.WhenAll(nodes.Select(n => n.SnapAsync()));
            }
            finally
            {
                await sampler.DisposeAsync();
            }

            var waits = Waits(sampler);

            self.Refresh();
            var selfCpu = self.TotalProcessorTime.TotalSeconds - selfCpu0;
            var loadAfter = LoadAverage();
            var finals = new List<NodeSnapshot?>();
            foreach (var n in nodes)
            {
                finals.Add(await n.StopAsync(TimeSpan.FromSeconds(90)));
            }

            var result = new JsonObject
            {
                ["name"] = s.Name,
                ["engine"] = s.Engine,
                ["nodes"] = s.Nodes,
                ["hotJobs"] = s.HotJobs,
                ["storedJobs"] = s.StoredJobs,
                ["historyRows"] = s.HistoryRows,
                ["notify"] = s.Engine == "chronoflow" ? !s.NoNotify : null,
                ["threads"] = threads,
                ["setupSeconds"] = Math.Round(setupSeconds, 1),
                ["startSeconds"] = Math.Round(startSeconds, 1),
                ["warmUpSeconds"] = warmUp.TotalSeconds,
                ["loadAverageBefore"] = loadBefore,
                ["loadAverageAfter"] = loadAfter,
                ["killedNodes"] = finals.Count(f => f is null),
                ["tables"] = tables,
            };
            var seconds = (server1.Ticks - server0.Ticks) / (double)TimeSpan.TicksPerSecond;
            result["windowSeconds"] = Math.Round(seconds, 2);
            result["offeredPerSecond"] = (double)s.HotJobs;

            // The nodes' own counters over the window: runs whose bodies ran, and how late they started.
            var probeCompleted = node1.Sum(n => n.Get("completed")) - node0.Sum(n => n.Get("completed"));
            var latency = new LatencyHistogram();
            foreach (var n in node1)
            {
                latency.Merge(n.Latency);
            }

            result["probeCompleted"] = probeCompleted;
            result["probeLatencyP50Ms"] = latency.Quantile(0.50);
            result["probeLatencyP99Ms"] = latency.Quantile(0.99);
            result["probeLatencyMaxMs"] = latency.Quantile(1.0);
            result["perNodeCompleted"] = new JsonArray([.. node1.Zip(node0, (b, a) => (JsonNode)(b.Get("completed") - a.Get("completed")))]);
            if (s.Engine == "chronoflow")
            {
                result["nodeSkipped"] = node1.Sum(n => n.Get("skipped")) - node0.Sum(n => n.Get("skipped"));
                result["nodeMisfired"] = node1.Sum(n => n.Get("misfired")) - node0.Sum(n => n.Get("misfired"));
                result["nodeQueueAtEnd"] = node1.Sum(n => n.Get("queue"));
                result["nodeStoreErrors"] = node1.Sum(n => n.Get("storeError"));
            }

            long completed;
            if (s.Engine == "chronoflow")
            {
                completed = await ChronoFlowRunsAsync(db, schema, server0.Ticks, server1.Ticks, result);
            }
            else
            {
                completed = probeCompleted;
                result["latencyP50Ms"] = result["probeLatencyP50Ms"]?.DeepClone();
                result["latencyP99Ms"] = result["probeLatencyP99Ms"]?.DeepClone();
                result["latencyMaxMs"] = result["probeLatencyMaxMs"]?.DeepClone();
            }

            result["completed"] = completed;
            result["completedPerSecond"] = Math.Round(completed / seconds, 1);
            Costs(result, server0, server1, completed, seconds, selfCpu);
            result["waits"] = waits;
            return result;
        }
        finally
        {
            foreach (var n in nodes)
            {
                await n.DisposeAsync();
            }

            await ExecAsync(db, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    /// <summary>The runs table after the nodes stopped: completed, skipped, latency and duplicates of the window.</summary>
    private static async Task<long> ChronoFlowRunsAsync(NpgsqlDataSource db, string schema, long t0, long t1, JsonObject result)
    {
        await using (var c = db.CreateCommand(
            "SELECT count(*) FILTER (WHERE outcome = 0 AND ended >= $1 AND ended < $2), "
            + "count(*) FILTER (WHERE outcome IS NOT NULL AND outcome <> 0 AND ended >= $1 AND ended < $2), "
            + "count(*) FILTER (WHERE started IS NOT NULL AND scheduled >= $1 AND scheduled < $2), "
            + "count(*) FILTER (WHERE skipped <> 0 AND scheduled >= $1 AND scheduled < $2), "
            + "coalesce(sum(count) FILTER (WHERE skipped <> 0 AND scheduled >= $1 AND scheduled < $2), 0)::bigint, "
            + "percentile_disc(0.5) WITHIN GROUP (ORDER BY started - scheduled) FILTER (WHERE started IS NOT NULL AND scheduled >= $1 AND scheduled < $2), "
            + "percentile_disc(0.99) WITHIN GROUP (ORDER BY started - scheduled) FILTER (WHERE started IS NOT NULL AND scheduled >= $1 AND scheduled < $2), "
            + "max(started - scheduled) FILTER (WHERE started IS NOT NULL AND scheduled >= $1 AND scheduled < $2), "
            + "count(*) FILTER (WHERE outcome = 4) "
            + $"FROM {schema}.runs WHERE node <> 'history'"))
        {
            c.Parameters.Add(new NpgsqlParameter { Value = t0 });
            c.Parameters.Add(new NpgsqlParameter { Value = t1 });
            await using var r = await c.ExecuteReaderAsync();
            await r.ReadAsync();
            result["completedDb"] = r.GetInt64(0);
            result["failedDb"] = r.GetInt64(1);
            result["startedScheduledInWindow"] = r.GetInt64(2);
            result["skipRows"] = r.GetInt64(3);
            result["skippedOccurrences"] = r.GetInt64(4);
            result["latencyP50Ms"] = r.IsDBNull(5) ? null : r.GetInt64(5) / 10_000.0;
            result["latencyP99Ms"] = r.IsDBNull(6) ? null : r.GetInt64(6) / 10_000.0;
            result["latencyMaxMs"] = r.IsDBNull(7) ? null : r.GetInt64(7) / 10_000.0;
            result["abandoned"] = r.GetInt64(8);
        }

        var skips = new JsonObject();
        await using (var c = db.CreateCommand($"SELECT skipped, sum(count)::bigint FROM {schema}.runs WHERE skipped <> 0 AND scheduled >= $1 AND scheduled < $2 GROUP BY skipped ORDER BY 1"))
        {
            c.Parameters.Add(new NpgsqlParameter { Value = t0 });
            c.Parameters.Add(new NpgsqlParameter { Value = t1 });
            await using var r = await c.ExecuteReaderAsync();
            while (await r.ReadAsync())
            {
                skips[((SkipReason)r.GetInt32(0)).ToString()] = r.GetInt64(1);
            }
        }

        result["skipReasons"] = skips;

        // The whole run, not only the window: an occurrence that started twice anywhere is a failure.
        await using (var c = db.CreateCommand(
            $"SELECT count(*) FROM (SELECT 1 FROM {schema}.runs WHERE started IS NOT NULL AND NOT manual AND node <> 'history' "
            + "GROUP BY job_id, scheduled HAVING count(*) > 1) d"))
        {
            result["duplicates"] = (long)(await c.ExecuteScalarAsync())!;
        }

        await using (var c = db.CreateCommand($"SELECT count(*) FROM {schema}.runs WHERE started IS NOT NULL AND NOT manual AND node <> 'history'"))
        {
            result["startedTotal"] = (long)(await c.ExecuteScalarAsync())!;
        }

        return (long)result["completedDb"]!;
    }

    /// <summary>What the window cost the server, per run completed: commits, writing transactions, WAL, rows, CPU.</summary>
    private static void Costs(JsonObject r, ServerSnapshot a, ServerSnapshot b, long completed, double seconds, double selfCpu)
    {
        // Per completed run; null (not NaN, which JSON cannot hold) when nothing completed in the window.
        double? Per(double v) => completed == 0 ? null : v / completed;
        static double? R(double? v, int digits) => v is { } x ? Math.Round(x, digits) : null;
        var commits = b.XactCommit - a.XactCommit - ServerSnapshot.HarnessCommits;
        r["commits"] = commits;
        r["rollbacks"] = b.XactRollback - a.XactRollback;
        r["writeTransactions"] = b.NextXid - a.NextXid;
        r["commitsPerRun"] = R(Per(commits), 5);
        r["writeTransactionsPerRun"] = R(Per(b.NextXid - a.NextXid), 5);
        r["commitsPerSecond"] = Math.Round(commits / seconds, 1);
        r["walSyncs"] = b.WalSync - a.WalSync;
        r["walSyncsPerRun"] = R(Per(b.WalSync - a.WalSync), 5);
        r["walSyncsPerSecond"] = Math.Round((b.WalSync - a.WalSync) / seconds, 1);
        r["walWritesPerSecond"] = Math.Round((b.WalWrite - a.WalWrite) / seconds, 1);
        r["walRecordsPerRun"] = R(Per(b.WalRecords - a.WalRecords), 2);
        r["walBytesPerRun"] = R(Per(b.WalBytes - a.WalBytes), 0);
        var rows = new JsonObject();
        foreach (var (key, value) in b.Tuples.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            var delta = value - a.Tuples.GetValueOrDefault(key);
            if (delta != 0)
            {
                rows[key] = R(Per(delta), 3);
            }
        }

        r["rowsPerRun"] = rows;
        var postgres = Cpu.Delta(a.PostgresCpu, b.PostgresCpu);
        r["cpuPostgres"] = Math.Round(postgres / seconds, 3);
        r["cpuNodes"] = Math.Round((b.NodesCpu - a.NodesCpu) / seconds, 3);
        r["cpuHarness"] = Math.Round(selfCpu / seconds, 3);
        r["cpuMachineBusy"] = Math.Round((b.MachineBusy - a.MachineBusy) / seconds, 3);
        r["cpuMachineCapacity"] = Math.Round((b.MachineTotal - a.MachineTotal) / seconds, 3);
        r["cpuOther"] = Math.Round(((b.MachineBusy - a.MachineBusy) - postgres - (b.NodesCpu - a.NodesCpu) - selfCpu) / seconds, 3);
        r["cpuPostgresMsPerRun"] = R(Per(postgres * 1000), 4);
        r["cpuNodesMsPerRun"] = R(Per((b.NodesCpu - a.NodesCpu) * 1000), 4);
    }

    private static JsonObject Waits(WaitSampler sampler)
    {
        var o = new JsonObject { ["samples"] = sampler.Samples };
        var perSample = new JsonObject();
        foreach (var (key, count) in sampler.Counts.OrderByDescending(c => c.Value))
        {
            perSample[key] = Math.Round(count / (double)Math.Max(1, sampler.Samples), 3);
        }

        o["averageBackends"] = perSample;
        return o;
    }

    private static async Task CreateChronoFlowSchemaAsync(NpgsqlDataSource db, string schema, Scenario s)
    {
        // The store creates its schema as it ships; a store opened here does only that.
        await using (var store = new PostgreSqlJobStore(new PostgreSqlJobStoreOptions { ConnectionString = db.ConnectionString, Schema = schema, RetentionInterval = Timeout.InfiniteTimeSpan }))
        {
            await store.OpenAsync("setup", CancellationToken.None);
        }

        if (s.HistoryRows > 0)
        {
            // Old history: ten runs a job, one a minute before now, succeeded, as the store writes them.
            var now = DateTimeOffset.UtcNow.UtcTicks;
            await using var c = db.CreateCommand(
                $"INSERT INTO {schema}.runs (job_id, scheduled, node, owner, started, ended, outcome, unique_slot) "
                + "SELECT CASE WHEN g % $2 < $3 THEN 'hot-' || lpad((g % $2)::text, 6, '0') ELSE 'cold-' || lpad((g % $2 - $3)::text, 6, '0') END, "
                + "$4 - (g / $2 + 1) * 600000000, 'history', 'history', $4 - (g / $2 + 1) * 600000000 + 10000, $4 - (g / $2 + 1) * 600000000 + 20000, 0, true "
                + "FROM generate_series(0, $1 - 1) g");
            c.CommandTimeout = 600;
            c.Parameters.Add(new NpgsqlParameter { Value = s.HistoryRows });
            c.Parameters.Add(new NpgsqlParameter { Value = (long)s.StoredJobs });
            c.Parameters.Add(new NpgsqlParameter { Value = (long)s.HotJobs });
            c.Parameters.Add(new NpgsqlParameter { Value = now });
            await c.ExecuteNonQueryAsync();
            await ExecAsync(db, $"VACUUM ANALYZE {schema}.runs");
        }
    }

    /// <summary>
    /// An empty schema: the first Quartz node creates its tables there (<c>ProvisionSchema()</c>, from the PostgreSQL
    /// script in Quartz 4.7.3's own assembly, Quartz.Impl.AdoJobStore.Schema.create_postgres.sql), so the schema is
    /// exactly the one this version ships. The repository's database/tables/tables_postgres.sql (main, 2026-08-08, the
    /// newest copy at hand) was tried first and refused by 4.7.3's schema check: it has no qrtz_paused_job_grps.
    /// </summary>
    private static Task CreateQuartzSchemaAsync(NpgsqlDataSource db, string schema) => ExecAsync(db, $"CREATE SCHEMA {schema}");

    private static async Task WaitForJobStatesAsync(NpgsqlDataSource db, string schema, int expected)
    {
        var until = Stopwatch.StartNew();
        while (true)
        {
            await using var c = db.CreateCommand($"SELECT count(*) FROM {schema}.jobs");
            var n = (long)(await c.ExecuteScalarAsync())!;
            if (n >= expected)
            {
                return;
            }

            if (until.Elapsed > s_readyTimeout)
            {
                throw new InvalidOperationException($"The store holds {n} of {expected} job states after {s_readyTimeout.TotalSeconds:F0} s.");
            }

            await Task.Delay(250);
        }
    }

    private static async Task<int> PostmasterPidAsync(NpgsqlDataSource db)
    {
        // A backend's parent is the postmaster: the root of every PostgreSQL process whose CPU time is counted.
        await using var c = db.CreateCommand("SELECT pg_backend_pid()");
        var backend = (int)(await c.ExecuteScalarAsync())!;
        var stat = await File.ReadAllTextAsync($"/proc/{backend.ToString(CultureInfo.InvariantCulture)}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private static async Task ExecAsync(NpgsqlDataSource db, string sql)
    {
        await using var c = db.CreateCommand(sql);
        c.CommandTimeout = 600;
        await c.ExecuteNonQueryAsync();
    }

    private static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
