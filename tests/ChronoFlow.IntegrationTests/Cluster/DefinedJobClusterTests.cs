using ChronoFlow.Testing;
using static ChronoFlow.IntegrationTests.Cluster.ClusterHistory;

namespace ChronoFlow.IntegrationTests.Cluster;

/// <summary>
/// Three <c>chronoflow</c> services with empty job directories share one PostgreSQL database. A job defined as data with
/// <c>chronoflow define</c> reaches all three and runs every second, each occurrence once among them; <c>chronoflow
/// remove</c> stops it on all three.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class DefinedJobClusterTests(ClusterDatabase database) : IDisposable
{
    private const string Tick = """{ "schedule": "* * * * * *", "misfire": { "policy": "skip" }, "task": { "type": "execute_command", "command": "/bin/echo tick" } }""";

    private static readonly TimeSpan s_patience = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [LinuxFact]
    public async Task DefinedOnce_RunsOnEveryService_EachOccurrenceOnce_AndRemovedEverywhere()
    {
        var connection = database.Server.ConnectionString;
        var store = "postgresql:" + connection;
        var jobs = Directory.CreateDirectory(_dir.File("jobs.d")).FullName;
        _dir.Write("tick.json", Tick);
        var services = new List<SampleProcess>();
        try
        {
            for (var i = 1; i <= 3; i++)
            {
                services.Add(SampleProcess.Start("ChronoFlow.Service", "--jobs-dir", jobs, "--store", store, "--node", $"svc-{i}"));
            }

            await Task.WhenAll(services.Select(s => s.WaitForLineAsync(l => l.Contains("ChronoFlow service started", StringComparison.Ordinal))));

            using (var define = SampleProcess.Start("ChronoFlow.Service", "define", "tick", _dir.File("tick.json"), "--store", store))
            {
                Assert.Equal(0, await define.WaitForExitAsync());
            }

            // Each service binds it when it syncs: at once through NOTIFY, or at its next tick.
            await Task.WhenAll(services.Select(s => s.WaitForLineAsync(l => l.Contains("Job tick was defined by another process", StringComparison.Ordinal))));
            await WaitUntilAsync(
                async () => await CountAsync(connection, "SELECT count(*) FROM chronoflow.runs WHERE job_id = 'tick' AND outcome = 0") >= 8,
                s_patience,
                () => "eight successful runs of the defined job");

            using (var remove = SampleProcess.Start("ChronoFlow.Service", "remove", "tick", "--store", store))
            {
                Assert.Equal(0, await remove.WaitForExitAsync());
            }

            await Task.WhenAll(services.Select(s => s.WaitForLineAsync(l => l.Contains("Job tick was removed by another process", StringComparison.Ordinal))));

            // Every service has applied the removal: no occurrence after this instant may start (one second of margin
            // for the clocks; the services' is the database's, on this machine). Let three seconds pass to see none does.
            var removedAt = DateTimeOffset.UtcNow.AddSeconds(1).UtcTicks;
            await WaitUntilAsync(
                async () => await CountAsync(connection, "SELECT count(*) WHERE (extract(epoch FROM clock_timestamp()) * 10000000)::bigint + 621355968000000000 > $1", removedAt + (3 * TimeSpan.TicksPerSecond)) == 1,
                s_patience,
                () => "three seconds after the removal");

            foreach (var service in services)
            {
                service.Signal(SampleProcess.SigTerm);
                Assert.Equal(0, await service.WaitForExitAsync());
            }

            Assert.Equal(0, await CountAsync(connection, "SELECT count(*) FROM chronoflow.runs WHERE job_id = 'tick' AND scheduled > $1", removedAt));
            Assert.Equal(0, await CountAsync(connection, "SELECT count(*) FROM (SELECT scheduled FROM chronoflow.runs WHERE job_id = 'tick' AND started IS NOT NULL GROUP BY scheduled HAVING count(*) > 1) twice"));
            Assert.Equal(0, await CountAsync(connection, "SELECT count(*) FROM chronoflow.runs WHERE job_id = 'tick' AND outcome <> 0"));
        }
        finally
        {
            foreach (var service in services)
            {
                service.Dispose();
            }
        }
    }
}
