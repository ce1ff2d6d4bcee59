using System.Net;
using System.Net.Sockets;
using System.Text.Json;

using ChronoFlow.Testing;

namespace ChronoFlow.IntegrationTests;

/// <summary>
/// samples/ChronoFlow.Samples.Web run as its own process on a free loopback port: the dashboard's admin API answers, a
/// run triggered over HTTP (with the antiforgery token, as the page sends it) is counted, pause and resume work, unknown
/// ids get 404, and Ctrl+C stops it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class WebSampleTests
{
    // Generous: the machine is shared and a cold start of an ASP.NET Core app can take seconds.
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(60);

    [LinuxFact]
    public async Task WebSample_AdminEndpoints_TriggerPauseResumeAndCountTheRun_ThenStopCleanlyOnCtrlC()
    {
        var port = FreeLoopbackPort();
        using var web = SampleProcess.Start("ChronoFlow.Samples.Web", "--urls", $"http://127.0.0.1:{port}");
        // The default handler keeps cookies, so the antiforgery cookie set by api/antiforgery goes back with each POST.
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = s_guard };

        using (var jobs = await GetJobsWhenListeningAsync(http, web))
        {
            var ids = jobs.RootElement.EnumerateArray().Select(static j => j.GetProperty("id").GetString()).ToList();
            Assert.Equal(["cache-refresh", "digest"], ids);
            var digest = jobs.RootElement.EnumerateArray().Single(static j => j.GetProperty("id").GetString() == "digest");

            // Schedule and zone come from appsettings.json.
            Assert.Equal("0 8 * * MON-FRI", digest.GetProperty("schedule").GetString());
            Assert.Equal("Europe/London", digest.GetProperty("zone").GetString());
            Assert.Equal("Scheduled", digest.GetProperty("status").GetString());
            Assert.Equal(0, digest.GetProperty("counts").GetProperty("runs").GetInt64());
        }

        using (var forged = await http.PostAsync(new Uri(Api + "jobs/digest/run", UriKind.Relative), content: null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        }

        using (var token = JsonDocument.Parse(await http.GetStringAsync(new Uri(Api + "antiforgery", UriKind.Relative))))
        {
            http.DefaultRequestHeaders.Add(token.RootElement.GetProperty("headerName").GetString()!, token.RootElement.GetProperty("token").GetString());
        }

        await PostAsync(http, "jobs/digest/run", HttpStatusCode.Accepted);

        Assert.Contains("no-such-job", await PostAsync(http, "jobs/no-such-job/run", HttpStatusCode.NotFound), StringComparison.Ordinal);

        using (var counted = await WaitForDigestRunAsync(http, web))
        {
            var counts = counted.RootElement.GetProperty("counts");
            Assert.Equal(1, counts.GetProperty("runs").GetInt64());
            Assert.Equal(1, counts.GetProperty("succeeded").GetInt64());
            Assert.Equal("Succeeded", counted.RootElement.GetProperty("lastOutcome").GetString());
        }

        using (var paused = JsonDocument.Parse(await PostAsync(http, "jobs/cache-refresh/pause", HttpStatusCode.OK)))
        {
            Assert.Equal("Paused", paused.RootElement.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, paused.RootElement.GetProperty("nextRun").ValueKind);
        }

        using (var resumed = JsonDocument.Parse(await PostAsync(http, "jobs/cache-refresh/resume", HttpStatusCode.OK)))
        {
            Assert.NotEqual("Paused", resumed.RootElement.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.String, resumed.RootElement.GetProperty("nextRun").ValueKind);
        }

        await PostAsync(http, "jobs/no-such-job/pause", HttpStatusCode.NotFound);
        await PostAsync(http, "jobs/no-such-job/resume", HttpStatusCode.NotFound);
        using (var missing = await http.GetAsync(new Uri(Api + "jobs/no-such-job", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using (var health = await http.GetAsync(new Uri("health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            using var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
            Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
            Assert.Equal("Soft", report.RootElement.GetProperty("checks").GetProperty("chronoflow").GetProperty("data").GetProperty("mode").GetString());
        }

        web.Signal(SampleProcess.SigInt);
        var exitCode = await web.WaitForExitAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains(web.Lines, static l => l.Contains("digest ran:", StringComparison.Ordinal) && l.Contains("triggered by hand: True", StringComparison.Ordinal));
    }

    private const string Api = "chronoflow/api/";

    private static async Task<string> PostAsync(HttpClient http, string path, HttpStatusCode expected)
    {
        using var response = await http.PostAsync(new Uri(Api + path, UriKind.Relative), content: null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"POST {path}: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>A port that was free a moment ago: bound on 127.0.0.1 with port 0, read back, released.</summary>
    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    // Waits for Kestrel to say it listens (the line comes once the socket is bound), then asks for the jobs.
    private static async Task<JsonDocument> GetJobsWhenListeningAsync(HttpClient http, SampleProcess web)
    {
        await web.WaitForLineAsync(l => l.Contains("Now listening on: " + http.BaseAddress!.ToString().TrimEnd('/'), StringComparison.Ordinal));
        return JsonDocument.Parse(await http.GetStringAsync(new Uri(Api + "jobs", UriKind.Relative)));
    }

    // The run ends on the thread pool after the POST has returned. The scheduler logs SUCCESS only after it has counted
    // the run, so once that line is out the job's counts show it.
    private static async Task<JsonDocument> WaitForDigestRunAsync(HttpClient http, SampleProcess web)
    {
        await web.WaitForLineAsync(static l => l.Contains("Job digest run scheduled", StringComparison.Ordinal) && l.Contains(": SUCCESS", StringComparison.Ordinal));
        return JsonDocument.Parse(await http.GetStringAsync(new Uri(Api + "jobs/digest", UriKind.Relative)));
    }

}
