using System.Diagnostics;
using System.Globalization;
using ChronoFlow.IntegrationTests.Probes;
using ChronoFlow.Testing;
using Xunit.Abstractions;
using static ChronoFlow.IntegrationTests.Cluster.ClusterHistory;

namespace ChronoFlow.IntegrationTests.Cluster;

/// <summary>
/// Three nodes open a schema that does not exist yet at the same instant, round after round: the migration runs under
/// an advisory lock, so all of them come up, none deadlocks, and the schema is created once (one schema_version row per
/// version shipped).
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class SimultaneousStartTests(ClusterDatabase database, ITestOutputHelper output) : IDisposable
{
    private const int Nodes = 3;
    private const int Rounds = 5;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [LinuxFact]
    public async Task ThreeNodesOnANewSchemaAtOnce_AllComeUp_AndTheSchemaIsCreatedOnce()
    {
        var server = database.Server;

        // The versions shipped: src/ChronoFlow.PostgreSql/Schema/NNN_name.sql, as the store embeds them.
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var versions = Directory.GetFiles(Path.Combine(root, "src", "ChronoFlow.PostgreSql", "Schema"), "*.sql")
            .Select(f => int.Parse(Path.GetFileName(f)[..3], CultureInfo.InvariantCulture))
            .Order()
            .ToList();
        Assert.NotEmpty(versions);

        var times = new List<TimeSpan>();
        var started = new List<ProbeProcess>();
        (string Schema, List<ProbeProcess> Nodes) Spawn(int round)
        {
            var schema = server.NewSchema();
            var markers = Directory.CreateDirectory(_dir.File($"markers-{round.ToString(CultureInfo.InvariantCulture)}")).FullName;
            var args = ProbeArgs(server.ConnectionString, schema, markers, 2000, "every-second");
            args.AddRange(["--jobs", "2", "--wait-for-go"]);
            var nodes = Enumerable.Range(0, Nodes).Select(_ => ProbeProcess.Start(args, stdin: true)).ToList();
            started.AddRange(nodes);
            return (schema, nodes);
        }

        try
        {
            var next = Spawn(0);
            for (var round = 0; round < Rounds; round++)
            {
                var (schema, nodes) = next;

                // Each is started and waits for the word: then all three open the new schema at once.
                await Task.WhenAll(nodes.Select(n => n.WaitForLineAsync("armed", $"round {round}")));
                var clock = Stopwatch.StartNew();
                foreach (var node in nodes)
                {
                    node.Go();
                }

                await Task.WhenAll(nodes.Select(n => n.WaitReadyAsync($"round {round}: {n.Node} after the simultaneous start")));
                times.Add(clock.Elapsed);

                // The next round's processes start up while this round stops and is checked, and wait for their word.
                if (round + 1 < Rounds)
                {
                    next = Spawn(round + 1);
                }

                var exits = await Task.WhenAll(nodes.Select(n => n.StopAsync($"round {round}: clean stop of {n.Node}")));
                for (var i = 0; i < Nodes; i++)
                {
                    Assert.True(exits[i] == 0, $"round {round}: {nodes[i].Node} stopped with exit code {exits[i]}; it wrote:\n{nodes[i].Output()}");
                }

                var rows = await ReadVersionsAsync(server.ConnectionString, schema);
                Assert.True(
                    rows.SequenceEqual(versions.Select(v => (v, 1L))),
                    $"round {round}: schema_version holds {string.Join(", ", rows.Select(r => $"version {r.Version} x{r.Count}"))}, "
                    + $"not one row for each of {string.Join(", ", versions)}");
                Assert.True(await CountAsync(server.ConnectionString, "SELECT count(*) FROM pg_tables WHERE schemaname = $1", schema) >= 3, $"round {round}: the schema's tables are missing");
            }
        }
        finally
        {
            foreach (var node in started)
            {
                node.Dispose();
            }
        }

        output.WriteLine(
            $"{Rounds} rounds of {Nodes} nodes on a new schema at once: all up, from the start signal to the last 'ready', in "
            + $"{string.Join(", ", times.Select(t => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)))} s; schema_version: one row per version ({string.Join(", ", versions)}).");
    }

    private static async Task<List<(int Version, long Count)>> ReadVersionsAsync(string connectionString, string schema)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand($"SELECT version, count(*) FROM \"{schema}\".schema_version GROUP BY version ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetInt64(1)));
        }

        return rows;
    }
}
