using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ChronoFlow.Dashboard.Tests;

/// <summary>
/// Secure by default: loopback only until the app requires authorization, read-only mode, the headers on every
/// response, and the registration the dashboard needs.
/// </summary>
public sealed class DashboardSecurityTests
{
    private const string Remote = "203.0.113.7";

    public static TheoryData<string> EveryGet => ["/chronoflow/", "/chronoflow/dashboard.js", "/chronoflow/dashboard.css", "/chronoflow/api/jobs", "/chronoflow/api/jobs/report", "/chronoflow/api/info", "/chronoflow/api/nodes", "/chronoflow/api/antiforgery", "/chronoflow/api/events"];

    [Theory]
    [MemberData(nameof(EveryGet))]
    public async Task RemoteRequest_WithoutAuthorization_IsRefused(string path)
    {
        await using var app = await DashboardApp.StartAsync();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(DashboardApp.RemoteHeader, Remote);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains(Remote, body, StringComparison.Ordinal);
        Assert.Contains("RequireAuthorization", body, StringComparison.Ordinal);
        Assert.Equal(DashboardEndpoints.ContentSecurityPolicy, response.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task RemotePost_WithoutAuthorization_IsRefusedBeforeAnythingElse()
    {
        await using var app = await DashboardApp.StartAsync();
        using var client = app.CreateClient();

        var (status, _) = await Http.PostAsync(client, "jobs/report/pause", withToken: false, headers: (DashboardApp.RemoteHeader, Remote));

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal(JobStatus.Scheduled, app.Scheduler.GetJob("report")!.Status);
    }

    [Theory]
    [InlineData("::1", "localhost", HttpStatusCode.OK)]
    [InlineData("::ffff:127.0.0.1", "127.0.0.1:5000", HttpStatusCode.OK)]
    [InlineData("127.0.0.1", "[::1]:8080", HttpStatusCode.OK)]
    [InlineData("127.0.0.1", "attacker.example", HttpStatusCode.Forbidden)]
    public async Task Loopback_IsServed_ForLoopbackHostNamesOnly(string remote, string host, HttpStatusCode expected)
    {
        await using var app = await DashboardApp.StartAsync();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/chronoflow/api/jobs");
        request.Headers.Add(DashboardApp.RemoteHeader, remote);
        request.Headers.Host = host;

        using var response = await client.SendAsync(request);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task AllowRemoteWithoutAuthorization_ServesRemoteRequests()
    {
        await using var app = await DashboardApp.StartAsync(static o => o.AllowRemoteWithoutAuthorization = true);
        using var client = app.CreateClient();

        var (status, _) = await Http.GetJsonAsync(client, "/chronoflow/api/jobs", (DashboardApp.RemoteHeader, Remote));
        var (posted, _) = await Http.PostAsync(client, "jobs/report/pause", headers: (DashboardApp.RemoteHeader, Remote));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(HttpStatusCode.OK, posted);
        Assert.Contains(app.Logs.Records, static r => r.Message == $"Dashboard: pause of job report by anonymous from {Remote}: done");
    }

    [Fact]
    public async Task RequireAuthorization_LetsAnAuthorizedRemoteUserIn_AndAuditsTheirName()
    {
        await using var app = await DashboardApp.StartAsync(map: static a => a.MapChronoFlowDashboard().RequireAuthorization("ops"), withAuthentication: true);
        using var client = app.CreateClient();

        var (page, _) = await Http.GetJsonAsync(client, "/chronoflow/api/jobs", (DashboardApp.RemoteHeader, Remote), (DashboardApp.UserHeader, "alice"));
        var (posted, _) = await Http.PostAsync(client, "jobs/report/pause", headers: [(DashboardApp.RemoteHeader, Remote), (DashboardApp.UserHeader, "alice")]);

        Assert.Equal(HttpStatusCode.OK, page);
        Assert.Equal(HttpStatusCode.OK, posted);
        Assert.Equal(JobStatus.Paused, app.Scheduler.GetJob("report")!.Status);
        Assert.Contains(app.Logs.Records, static r => r.Category == "ChronoFlow.Dashboard" && r.Message == $"Dashboard: pause of job report by alice from {Remote}: done");
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("bob", HttpStatusCode.Forbidden)]
    public async Task RequireAuthorization_RefusesOthers_EvenOnLoopback(string? user, HttpStatusCode expected)
    {
        await using var app = await DashboardApp.StartAsync(map: static a => a.MapChronoFlowDashboard().RequireAuthorization("ops"), withAuthentication: true);
        using var client = app.CreateClient();
        (string, string)[] headers = user is null ? [] : [(DashboardApp.UserHeader, user)];

        foreach (var path in new[] { "/chronoflow/", "/chronoflow/dashboard.js", "/chronoflow/api/jobs", "/chronoflow/api/events" })
        {
            var (status, _) = await Http.GetJsonAsync(client, path, headers);
            Assert.True(status == expected, $"GET {path} as {user ?? "nobody"}: {status}, expected {expected}");
        }
    }

    [Fact]
    public async Task AllowAnonymous_CancelsRequireAuthorization_SoTheLoopbackRuleHoldsAgain()
    {
        await using var app = await DashboardApp.StartAsync(map: static a => a.MapChronoFlowDashboard().RequireAuthorization("ops").AllowAnonymous(), withAuthentication: true);
        using var client = app.CreateClient();

        var (status, _) = await Http.GetJsonAsync(client, "/chronoflow/api/jobs", (DashboardApp.RemoteHeader, Remote));

        Assert.Equal(HttpStatusCode.Forbidden, status);
    }

    [Fact]
    public async Task ReadOnly_RefusesActions_AndSaysSoInInfo()
    {
        await using var app = await DashboardApp.StartAsync(static o => o.ReadOnly = true);
        using var client = app.CreateClient();

        foreach (var action in new[] { "run", "pause", "resume" })
        {
            var (status, problem) = await Http.PostAsync(client, $"jobs/report/{action}");
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Contains("read-only", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        foreach (var (method, path) in new[] { (HttpMethod.Put, "jobs/nightly/definition"), (HttpMethod.Delete, "jobs/report") })
        {
            var (status, problem) = await Http.SendAsync(client, method, path, """{ "schedule": "@daily", "task": { "type": "execute_command", "command": "/bin/true" } }""");
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Contains("read-only", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Null(app.Scheduler.GetJob("nightly"));

        Assert.Equal(JobStatus.Scheduled, app.Scheduler.GetJob("report")!.Status);
        Assert.Equal(0, app.Scheduler.GetJob("report")!.RunCount + app.Scheduler.GetJob("report")!.InFlight);
        var (_, info) = await Http.GetJsonAsync(client, "/chronoflow/api/info");
        Assert.True(info.GetProperty("readOnly").GetBoolean());
    }

    [Theory]
    [InlineData("/chronoflow/", "text/html", "no-cache")]
    [InlineData("/chronoflow/dashboard.js", "text/javascript", "no-cache")]
    [InlineData("/chronoflow/dashboard.css", "text/css", "no-cache")]
    [InlineData("/chronoflow/api/jobs", "application/json", "no-store")]
    [InlineData("/chronoflow/api/nodes", "application/json", "no-store")]
    [InlineData("/chronoflow/api/jobs/nope", "application/problem+json", "no-store")]
    public async Task EveryResponse_HasTheStrictHeaders(string path, string mediaType, string cacheControl)
    {
        await using var app = await DashboardApp.StartAsync();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
            response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains(cacheControl, response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("/chronoflow/", "text/html", "dashboard.js")]
    [InlineData("/chronoflow/dashboard.js", "text/javascript", "EventSource")]
    [InlineData("/chronoflow/dashboard.css", "text/css", "prefers-color-scheme")]
    public async Task Assets_AreServedFromTheAssembly_WithAnETag_And304WhenUnchanged(string path, string mediaType, string contains)
    {
        await using var app = await DashboardApp.StartAsync();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType.CharSet);
        Assert.Contains(contains, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var etag = Assert.IsType<System.Net.Http.Headers.EntityTagHeaderValue>(response.Headers.ETag);

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task ThePage_HasNoInlineScriptOrStyle_AndOnlyRelativeUrls()
    {
        await using var app = await DashboardApp.StartAsync();
        using var client = app.CreateClient();

        var html = await client.GetStringAsync("/chronoflow/");

        Assert.DoesNotContain("style=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);
        Assert.Matches("<script src=\"dashboard.js\" defer></script>", html);
        Assert.Equal(1, html.Split("<script", StringSplitOptions.None).Length - 1);
        Assert.DoesNotMatch("(src|href)=\"/", html);
        Assert.DoesNotMatch("(src|href)=\"https?:", html);
    }

    [Fact]
    public async Task UnderAPathBase_ThePageAndApiAnswer_AndTheSlashlessUrlRedirectsRelatively()
    {
        await using var app = await DashboardApp.StartAsync(pathBase: "/ops");
        using var client = app.CreateClient();

        using var redirect = await client.GetAsync("/ops/chronoflow");
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal("chronoflow/", redirect.Headers.Location!.OriginalString);

        using var page = await client.GetAsync("/ops/chronoflow/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var (status, jobs) = await Http.GetJsonAsync(client, "/ops/chronoflow/api/jobs");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(3, jobs.GetArrayLength());
        var (posted, _) = await Http.PostAsync(client, "jobs/report/pause", api: "/ops/chronoflow/api/");
        Assert.Equal(HttpStatusCode.OK, posted);
    }

    [Fact]
    public async Task Map_WithoutAddChronoFlowDashboard_SaysWhatToCall()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSingleton(new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft }));
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapChronoFlowDashboard("/ops"));

        Assert.Contains("MapChronoFlowDashboard(\"/ops\")", error.Message, StringComparison.Ordinal);
        Assert.Contains("AddChronoFlowDashboard()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_WithoutChronoFlow_SaysWhatToCall()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddChronoFlowDashboard();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapChronoFlowDashboard());

        Assert.Contains("AddChronoFlow()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Authorization_IsRecognisedFromEndpointMetadata()
    {
        Assert.False(DashboardEndpoints.HasAuthorization(null));
        Assert.False(DashboardEndpoints.HasAuthorization(new Endpoint(null, new EndpointMetadataCollection(), "plain")));
        Assert.True(DashboardEndpoints.HasAuthorization(new Endpoint(null, new EndpointMetadataCollection(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute("ops")), "authorized")));
        Assert.True(DashboardEndpoints.HasAuthorization(new Endpoint(null, new EndpointMetadataCollection(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()), "policy")));
        Assert.False(DashboardEndpoints.HasAuthorization(new Endpoint(null, new EndpointMetadataCollection(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute(), new Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute()), "anonymous")));
    }
}
