using System.Net;
using System.Text.Json;

namespace ChronoFlow.Dashboard.Tests;

/// <summary>The JSON API: its shapes (camelCase), paging, 404s, and that run, pause, resume, define and remove act and are audited.</summary>
public sealed class DashboardApiTests : IAsyncLifetime
{
    private const string Nightly = """{ "schedule": "0 3 * * *", "task": { "type": "execute_command", "command": "/bin/true" } }""";

    private DashboardApp _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _app = await DashboardApp.StartAsync();
        _client = _app.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Jobs_ListsEveryJob_WithTheContractsCamelCaseFields()
    {
        var (status, jobs) = await Http.GetJsonAsync(_client, "/chronoflow/api/jobs");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["cleanup", "failing", "report"], jobs.EnumerateArray().Select(static j => j.GetProperty("id").GetString()).Order());
        var report = jobs.EnumerateArray().Single(static j => j.GetProperty("id").GetString() == "report");
        foreach (var field in new[] { "id", "schedule", "nextRun", "lastRun", "lastOutcome", "paused", "status", "description", "zone", "counts", "lastDuration", "lastError" })
        {
            Assert.True(report.TryGetProperty(field, out _), $"GET api/jobs: job \"report\" has no field \"{field}\": {report}");
        }

        Assert.Equal("0 8 * * MON-FRI", report.GetProperty("schedule").GetString());
        Assert.Equal("Europe/London", report.GetProperty("zone").GetString());
        Assert.Equal("at 08:00 on Monday to Friday", report.GetProperty("scheduleDescription").GetString());
        Assert.Equal("Weekday report", report.GetProperty("description").GetString());
        Assert.Equal("Scheduled", report.GetProperty("status").GetString());
        Assert.False(report.GetProperty("paused").GetBoolean());
        Assert.Equal(_app.Scheduler.GetJob("report")!.NextRun, report.GetProperty("nextRun").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("lastRun").ValueKind);
        Assert.Equal(0, report.GetProperty("counts").GetProperty("runs").GetInt64());
        Assert.False(report.TryGetProperty("nextRuns", out _), "the list leaves the next five runs to GET jobs/{id}");
    }

    [Fact]
    public async Task Job_ShowsTheNextFiveRunsAsTheEngineComputesThem()
    {
        var (status, job) = await Http.GetJsonAsync(_client, "/chronoflow/api/jobs/report");

        Assert.Equal(HttpStatusCode.OK, status);
        var schedule = _app.Scheduler.GetJob("report")!.Schedule;
        var expected = new List<DateTimeOffset>();
        DateTimeOffset? next = _app.Scheduler.GetJob("report")!.NextRun;
        while (next is { } at && expected.Count < 5)
        {
            expected.Add(at);
            next = schedule.GetNextOccurrence(at);
        }

        Assert.Equal(expected, job.GetProperty("nextRuns").EnumerateArray().Select(static r => r.GetDateTimeOffset()));
        // 2030-01-01 is a Tuesday and London is on GMT in January: 08:00 UTC on weekdays.
        Assert.Equal(new DateTimeOffset(2030, 1, 1, 8, 0, 0, TimeSpan.Zero), expected[0]);
        Assert.Equal(new DateTimeOffset(2030, 1, 7, 8, 0, 0, TimeSpan.Zero), expected[4]);
    }

    [Theory]
    [InlineData("GET", "jobs/nope")]
    [InlineData("GET", "jobs/nope/runs")]
    [InlineData("POST", "jobs/nope/run")]
    [InlineData("POST", "jobs/nope/pause")]
    [InlineData("POST", "jobs/nope/resume")]
    [InlineData("DELETE", "jobs/nope")]
    public async Task UnknownJob_Is404WithAProblemNamingIt(string method, string path)
    {
        var (status, problem) = method == "GET"
            ? await Http.GetJsonAsync(_client, "/chronoflow/api/" + path)
            : await Http.SendAsync(_client, new HttpMethod(method), path);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        Assert.Contains("\"nope\"", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_AreNewestFirst_WithTheContractsFields_AndPagedByBefore()
    {
        await _app.RunAndRecordAsync("failing");
        _app.Clock.Advance(TimeSpan.FromSeconds(1));
        await _app.RunAndRecordAsync("failing");
        _app.Clock.Advance(TimeSpan.FromSeconds(1));
        await _app.RunAndRecordAsync("failing");

        var (status, first) = await Http.GetJsonAsync(_client, "/chronoflow/api/jobs/failing/runs?limit=2");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2, first.GetArrayLength());
        var newest = first[0];
        foreach (var field in new[] { "scheduledTime", "startedTime", "duration", "outcome", "attempt", "node", "error" })
        {
            Assert.True(newest.TryGetProperty(field, out _), $"GET api/jobs/failing/runs: a run has no field \"{field}\": {newest}");
        }

        Assert.Equal("Failed", newest.GetProperty("outcome").GetString());
        Assert.Equal("node-a", newest.GetProperty("node").GetString());
        Assert.Equal(1, newest.GetProperty("attempt").GetInt32());
        Assert.Contains("disk full", newest.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(newest.GetProperty("manual").GetBoolean());
        Assert.Equal(TestClock.Epoch.AddSeconds(2), newest.GetProperty("scheduledTime").GetDateTimeOffset());
        Assert.Equal(TestClock.Epoch.AddSeconds(1), first[1].GetProperty("scheduledTime").GetDateTimeOffset());

        var before = first[1].GetProperty("id").GetInt64();
        var (_, second) = await Http.GetJsonAsync(_client, $"/chronoflow/api/jobs/failing/runs?limit=2&before={before}");
        Assert.Equal([TestClock.Epoch], second.EnumerateArray().Select(static r => r.GetProperty("scheduledTime").GetDateTimeOffset()));

        var (_, job) = await Http.GetJsonAsync(_client, "/chronoflow/api/jobs/failing");
        Assert.Equal("Failed", job.GetProperty("lastOutcome").GetString());
        Assert.Equal(3, job.GetProperty("counts").GetProperty("failed").GetInt64());
        Assert.Contains("disk full", job.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Number, job.GetProperty("lastDuration").ValueKind);
    }

    [Fact]
    public async Task Runs_KeepTheOutputTail()
    {
        await _app.RunAndRecordAsync("cleanup");

        var (_, runs) = await Http.GetJsonAsync(_client, "/chronoflow/api/jobs/cleanup/runs");

        var run = Assert.Single(runs.EnumerateArray());
        Assert.Equal("Succeeded", run.GetProperty("outcome").GetString());
        Assert.Equal("removed 3 files", run.GetProperty("output").GetString());
        Assert.Equal(JsonValueKind.Null, run.GetProperty("skipped").ValueKind);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("limit=ten")]
    [InlineData("before=-1")]
    public async Task Runs_WithABadQuery_Is400NamingTheParameter(string query)
    {
        var (status, problem) = await Http.GetJsonAsync(_client, "/chronoflow/api/jobs/cleanup/runs?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(query.Split('=')[0], problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_WhenTheStoreCannotBeRead_Are503WithTheStoresMessage()
    {
        _app.Store.FailReads = true;

        var (status, problem) = await Http.GetJsonAsync(_client, "/chronoflow/api/jobs/failing/runs");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Job store unavailable", problem.GetProperty("title").GetString());
        Assert.Contains(SignallingStore.ReadFailure, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PauseAndResume_ChangeTheScheduler_AndAreAudited()
    {
        var (paused, pausedJob) = await Http.PostAsync(_client, "jobs/report/pause");

        Assert.Equal(HttpStatusCode.OK, paused);
        Assert.True(pausedJob.GetProperty("paused").GetBoolean());
        Assert.Equal(JobStatus.Paused, _app.Scheduler.GetJob("report")!.Status);

        var (resumed, resumedJob) = await Http.PostAsync(_client, "jobs/report/resume");

        Assert.Equal(HttpStatusCode.OK, resumed);
        Assert.False(resumedJob.GetProperty("paused").GetBoolean());
        Assert.Equal(JobStatus.Scheduled, _app.Scheduler.GetJob("report")!.Status);

        var audit = _app.Logs.Records.Where(static r => r.Category == "ChronoFlow.Dashboard").Select(static r => r.Message).ToList();
        Assert.Equal(
            ["Dashboard: pause of job report by anonymous (loopback) from 127.0.0.1: done", "Dashboard: resume of job report by anonymous (loopback) from 127.0.0.1: done"],
            audit);
    }

    [Fact]
    public async Task Run_StartsARun_RecordedInHistory_AndAudited()
    {
        var ended = _app.Store.WhenEnded("cleanup", 1);

        var (status, job) = await Http.PostAsync(_client, "jobs/cleanup/run");

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("cleanup", job.GetProperty("id").GetString());
        await ended;
        var (_, runs) = await Http.GetJsonAsync(_client, "/chronoflow/api/jobs/cleanup/runs");
        Assert.True(Assert.Single(runs.EnumerateArray()).GetProperty("manual").GetBoolean());
        Assert.Contains(_app.Logs.Records, static r => r.Category == "ChronoFlow.Dashboard" && r.Message == "Dashboard: run of job cleanup by anonymous (loopback) from 127.0.0.1: done");
    }

    [Fact]
    public async Task Define_AJobFile_RunsItHere_ListsIt_AndIsAudited()
    {
        var (status, body) = await Http.SendAsync(_client, HttpMethod.Put, "jobs/nightly/definition", Nightly);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("nightly", body.GetProperty("id").GetString());
        Assert.True(body.GetProperty("runsHere").GetBoolean());
        Assert.Equal("0 3 * * *", _app.Scheduler.GetJob("nightly")!.ScheduleText);
        var (listed, job) = await Http.GetJsonAsync(_client, "/chronoflow/api/jobs/nightly");
        Assert.Equal(HttpStatusCode.OK, listed);
        Assert.Equal("0 3 * * *", job.GetProperty("schedule").GetString());
        Assert.Contains(_app.Logs.Records, static r => r.Category == "ChronoFlow.Dashboard" && r.Message == "Dashboard: define of job nightly by anonymous (loopback) from 127.0.0.1: done");
    }

    [Fact]
    public async Task Define_WithATaskTypeUnknownHere_IsStored_ButDoesNotRunHere()
    {
        var (status, body) = await Http.SendAsync(_client, HttpMethod.Put, "jobs/backup/definition", """{ "schedule": "@daily", "task": { "type": "backup_database" } }""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.False(body.GetProperty("runsHere").GetBoolean());
        Assert.Null(_app.Scheduler.GetJob("backup"));
    }

    [Fact]
    public async Task Define_Invalid_Is400_WithWhatIsWrongAndWhere_AndDefinesNothing()
    {
        var (status, problem) = await Http.SendAsync(
            _client, HttpMethod.Put, "jobs/nightly/definition", """{ "schedule": "61 * * * *", "task": { "type": "execute_command", "command": "/bin/true" } }""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains("$.schedule: minute: 61 is out of range 0-59", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(_app.Scheduler.GetJob("nightly"));
    }

    [Fact]
    public async Task Define_OverAJobOfTheApplicationsCode_Is409_AndKeepsIt()
    {
        var (status, problem) = await Http.SendAsync(_client, HttpMethod.Put, "jobs/report/definition", Nightly);

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Contains("registered by the application in code", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(JobStatus.Scheduled, _app.Scheduler.GetJob("report")!.Status);
        Assert.Equal("Weekday report", _app.Scheduler.GetJob("report")!.Description);
    }

    [Fact]
    public async Task Delete_RemovesTheJob_AndIsAudited()
    {
        var (status, body) = await Http.SendAsync(_client, HttpMethod.Delete, "jobs/report");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("report", body.GetProperty("id").GetString());
        Assert.Null(_app.Scheduler.GetJob("report"));
        var (gone, _) = await Http.GetJsonAsync(_client, "/chronoflow/api/jobs/report");
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Contains(_app.Logs.Records, static r => r.Category == "ChronoFlow.Dashboard" && r.Message == "Dashboard: remove of job report by anonymous (loopback) from 127.0.0.1: done");
    }

    [Fact]
    public async Task Delete_AJobDefinedAsData_RemovesItsDefinition()
    {
        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(_client, HttpMethod.Put, "jobs/nightly/definition", Nightly)).Status);

        Assert.Equal(HttpStatusCode.OK, (await Http.SendAsync(_client, HttpMethod.Delete, "jobs/nightly")).Status);

        Assert.Null(_app.Scheduler.GetJob("nightly"));
        Assert.Equal(HttpStatusCode.NotFound, (await Http.SendAsync(_client, HttpMethod.Delete, "jobs/nightly")).Status);
    }

    [Theory]
    [InlineData("PUT", "jobs/nightly/definition")]
    [InlineData("DELETE", "jobs/report")]
    public async Task DefineAndDelete_WithoutTheAntiforgeryToken_AreRefused_AndChangeNothing(string method, string path)
    {
        var (status, problem) = await Http.SendAsync(_client, new HttpMethod(method), path, Nightly, withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains($"{method} /chronoflow/api/{path} to the ChronoFlow dashboard needs the token", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Null(_app.Scheduler.GetJob("nightly"));
        Assert.NotNull(_app.Scheduler.GetJob("report"));
        Assert.DoesNotContain(_app.Logs.Records, static r => r.Category == "ChronoFlow.Dashboard");
    }

    [Fact]
    public async Task Post_WithoutTheAntiforgeryToken_IsRefused_AndChangesNothing()
    {
        var (status, problem) = await Http.PostAsync(_client, "jobs/report/pause", withToken: false);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("antiforgery", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(JobStatus.Scheduled, _app.Scheduler.GetJob("report")!.Status);
        Assert.DoesNotContain(_app.Logs.Records, static r => r.Category == "ChronoFlow.Dashboard");
    }

    [Fact]
    public async Task Post_WithTheCookieButAForgedToken_IsRefused()
    {
        var (cookie, header, _) = await Http.AntiforgeryAsync(_client);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/chronoflow/api/jobs/report/pause");
        request.Headers.Add("Cookie", cookie);
        request.Headers.Add(header, "forged");

        using var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(JobStatus.Scheduled, _app.Scheduler.GetJob("report")!.Status);
    }

    [Fact]
    public async Task Info_NamesTheNodeAndMode()
    {
        var (status, info) = await Http.GetJsonAsync(_client, "/chronoflow/api/info");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("ChronoFlow", info.GetProperty("title").GetString());
        Assert.False(info.GetProperty("readOnly").GetBoolean());
        Assert.Equal("node-a", info.GetProperty("node").GetString());
        Assert.Equal("Soft", info.GetProperty("mode").GetString());
        Assert.Equal(3, info.GetProperty("jobCount").GetInt32());
        Assert.Equal("anonymous (loopback)", info.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Events_StartWithASnapshotOfTheJobs()
    {
        using var response = await _client.GetAsync("/chronoflow/api/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        string? data = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data = line["data: ".Length..];
                break;
            }
        }

        Assert.NotNull(data);
        using var jobs = JsonDocument.Parse(data);
        Assert.Equal(3, jobs.RootElement.GetArrayLength());
        Assert.Contains(jobs.RootElement.EnumerateArray(), static j => j.GetProperty("id").GetString() == "failing");
    }
}
