using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChronoFlow.Benchmarks.Dashboard;

/// <summary>
/// The admin API the dashboard reads, at the size the budget names: 10,000 jobs and a million history rows in a
/// SQLite store, served by Kestrel on loopback and read by an HttpClient, as a browser would (JSON included).
/// Budget: the job list under 100 ms, a page of one job's history under 20 ms.
/// </summary>
[MemoryDiagnoser]
public class DashboardApiBenchmarks
{
    private const int Jobs = 10_000;
    private const int RunsPerJob = 100;

    private string _directory = null!;
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private long _middleId;

    [GlobalSetup]
    public async Task Setup()
    {
        _directory = Directory.CreateTempSubdirectory("chronoflow-dashboard-bench-").FullName;
        var path = Path.Combine(_directory, "store.db");
        await FillAsync(path);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var jobs = builder.Services.AddChronoFlow(o => o.Mode = SchedulerMode.Soft)
            .UseSqlite(o =>
            {
                o.Path = path;
                o.RetentionInterval = Timeout.InfiniteTimeSpan;
            });
        var hourly = Schedule.Cron("0 * * * *");
        for (var i = 0; i < Jobs; i++)
        {
            jobs.AddJob(JobId(i), hourly, static (_, _) => ValueTask.CompletedTask);
        }

        builder.Services.AddChronoFlowDashboard();
        _app = builder.Build();
        _app.MapChronoFlowDashboard();
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _http = new HttpClient { BaseAddress = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/") };

        // Check the sizes the numbers claim: every job listed, a full page of history, and an id to page from.
        using var list = System.Text.Json.JsonDocument.Parse(await _http.GetStringAsync("chronoflow/api/jobs"));
        if (list.RootElement.GetArrayLength() != Jobs)
        {
            throw new InvalidOperationException($"The job list has {list.RootElement.GetArrayLength()} jobs, not {Jobs}.");
        }

        using var page = System.Text.Json.JsonDocument.Parse(await _http.GetStringAsync($"chronoflow/api/jobs/{JobId(Jobs / 2)}/runs?limit=50"));
        var rows = page.RootElement.ValueKind == System.Text.Json.JsonValueKind.Array ? page.RootElement : page.RootElement.GetProperty("runs");
        if (rows.GetArrayLength() != 50)
        {
            throw new InvalidOperationException($"A page of history has {rows.GetArrayLength()} rows, not 50.");
        }

        _middleId = rows[rows.GetArrayLength() - 1].GetProperty("id").GetInt64();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Benchmark(Description = "GET api/jobs: 10,000 jobs")]
    public async Task<int> JobList() => (await _http.GetByteArrayAsync("chronoflow/api/jobs")).Length;

    [Benchmark(Description = "GET api/jobs/{id}/runs: newest 50 of 100, 1M rows stored")]
    public async Task<int> HistoryFirstPage() => (await _http.GetByteArrayAsync($"chronoflow/api/jobs/{JobId(Jobs / 2)}/runs?limit=50")).Length;

    [Benchmark(Description = "GET api/jobs/{id}/runs: the next page (before=id)")]
    public async Task<int> HistoryNextPage() => (await _http.GetByteArrayAsync($"chronoflow/api/jobs/{JobId(Jobs / 2)}/runs?limit=50&before={_middleId}")).Length;

    private static string JobId(int i) => "job-" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Writes a million ended runs, a hundred per job, through the store itself.</summary>
    private static async Task FillAsync(string path)
    {
        await using var store = new SqliteJobStore(new SqliteJobStoreOptions { Path = path, RetentionInterval = Timeout.InfiniteTimeSpan });
        await store.OpenAsync("bench", CancellationToken.None);
        var t0 = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var batch = new StoreBatch { Node = "bench", Owner = "fill", Now = t0, LeaseDuration = TimeSpan.FromSeconds(10) };
        for (var run = 0; run < RunsPerJob; run++)
        {
            batch.Clear();
            var scheduled = t0.AddHours(-RunsPerJob + run);
            for (var job = 0; job < Jobs; job++)
            {
                batch.Add(new RunRecord
                {
                    JobId = JobId(job),
                    ScheduledTime = scheduled,
                    Node = "bench",
                    StartedTime = scheduled.AddMilliseconds(3),
                    EndedTime = scheduled.AddMilliseconds(40),
                    Outcome = run % 10 == 9 ? JobOutcome.Failed : JobOutcome.Succeeded,
                    Error = run % 10 == 9 ? "exit code 1" : null,
                    Attempt = 1,
                });
            }

            await store.WriteAsync(batch, CancellationToken.None);
        }
    }
}
