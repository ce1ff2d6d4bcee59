using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ChronoFlow.Dashboard.Tests.Browser;

/// <summary>
/// The dashboard page in a real Chromium against a real Kestrel server: the list, search and filter, a job's next runs
/// and history, pause/resume/run/remove behind the confirmation dialog, the nodes view, and the theme toggle; with no console
/// error and no CSP violation. Each test uses its own job, so the shared scheduler does not couple them.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DashboardPageTests(BrowserFixture fixture) : IClassFixture<BrowserFixture>
{
    private static readonly LocatorAssertionsToHaveCountOptions s_wait = new() { Timeout = 15_000 };

    [Fact]
    public async Task JobsList_Renders_AndSearchAndStatusFilter()
    {
        await using var watched = await fixture.OpenAsync();
        var page = watched.Page;
        var rows = page.Locator("#jobs tr");

        await Expect(rows).ToHaveCountAsync(3, s_wait);
        var report = page.Locator("#jobs tr[data-job-id='report']");
        await Expect(report).ToContainTextAsync("0 8 * * MON-FRI");
        await Expect(report).ToContainTextAsync("at 08:00 on Monday to Friday");
        await Expect(report).ToContainTextAsync("Europe/London");
        await Expect(page.Locator("#jobs tr[data-job-id='failing']")).ToContainTextAsync("Failed");

        await page.GetByLabel("Search jobs").FillAsync("weekday");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-job-id", "report");

        await page.GetByLabel("Search jobs").FillAsync("");
        await page.GetByLabel("Filter by status").SelectOptionAsync("failing");
        await Expect(rows).ToHaveCountAsync(1);
        await Expect(rows.First).ToHaveAttributeAsync("data-job-id", "failing");

        await page.GetByLabel("Filter by status").SelectOptionAsync("");
        await page.GetByLabel("Sort jobs").SelectOptionAsync("nextRun");
        // Next runs from 2030-01-01 00:00 UTC: failing and cleanup at 00:10 and 00:15, report at 08:00.
        await Expect(rows).ToHaveCountAsync(3);
        Assert.Equal(["failing", "cleanup", "report"], await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.jobId)"));

        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        await KeepScreenshotAsync(page, "dashboard-light.png");
        await watched.AssertCleanAsync();
    }

    /// <summary>Keeps a full-page screenshot as a test artifact (bin/.../screenshots/), and checks it was written.</summary>
    private static async Task KeepScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "screenshots", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 1_000, $"the screenshot {path} is empty");
    }

    [Fact]
    public async Task JobView_ShowsTheNextFiveRuns_AndTheHistory()
    {
        await using var watched = await fixture.OpenAsync();
        var page = watched.Page;

        await page.GetByRole(AriaRole.Link, new() { Name = "failing", Exact = true }).ClickAsync();

        await Expect(page.Locator("#job-id")).ToHaveTextAsync("failing");
        await Expect(page.Locator("#next-runs li")).ToHaveCountAsync(5, s_wait);
        await Expect(page.Locator("#next-runs li").First.Locator("time")).ToHaveAttributeAsync("datetime", new Regex("^2030-01-01T00:10:00"));
        var history = page.Locator("#runs tr");
        await Expect(history).ToHaveCountAsync(1, s_wait);
        await Expect(history.First).ToContainTextAsync("Failed");
        await Expect(history.First).ToContainTextAsync("disk full");
        await Expect(history.First).ToContainTextAsync("node-a");
        await Expect(page.Locator("#job-facts")).ToContainTextAsync("every 10 minutes");
        await watched.AssertCleanAsync();
    }

    [Fact]
    public async Task Pause_AfterConfirming_PausesTheJob_CancelDoesNothing_AndResumeResumes()
    {
        await using var watched = await fixture.OpenAsync("#/jobs/report");
        var page = watched.Page;
        var dialog = page.Locator("#confirm");
        var status = page.Locator("#job-facts");
        await Expect(status).ToContainTextAsync("Scheduled", new() { Timeout = 15_000 });

        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync("Pause job \"report\"?");
        await page.Locator("#confirm-cancel").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        Assert.Equal(JobStatus.Scheduled, fixture.App.Scheduler.GetJob("report")!.Status);

        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        await Expect(status).ToContainTextAsync("Paused");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Resume" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Pause" })).ToBeHiddenAsync();
        Assert.Equal(JobStatus.Paused, fixture.App.Scheduler.GetJob("report")!.Status);

        await page.GetByRole(AriaRole.Button, new() { Name = "Resume" }).ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        await Expect(status).ToContainTextAsync("Scheduled");
        Assert.Equal(JobStatus.Scheduled, fixture.App.Scheduler.GetJob("report")!.Status);
        Assert.Contains(fixture.App.Logs.Records, static r => r.Message == "Dashboard: pause of job report by anonymous (loopback) from 127.0.0.1: done");
        await watched.AssertCleanAsync();
    }

    [Fact]
    public async Task Remove_AfterConfirming_RemovesTheJob_AndGoesBackToTheList_CancelDoesNothing()
    {
        // A job of its own, added for this test: the others' jobs stay, and so does the list's count once it is removed.
        fixture.App.Scheduler.AddOrUpdate("doomed", Schedule.Cron("0 0 1 1 *"), static (_, _) => ValueTask.CompletedTask);
        await using var watched = await fixture.OpenAsync("#/jobs/doomed");
        var page = watched.Page;
        var dialog = page.Locator("#confirm");
        var remove = page.GetByRole(AriaRole.Button, new() { Name = "Remove", Exact = true });
        await Expect(page.Locator("#job-facts")).ToContainTextAsync("Scheduled", new() { Timeout = 15_000 });

        await remove.ClickAsync();
        await Expect(dialog).ToContainTextAsync("Remove job \"doomed\"?");
        await page.Locator("#confirm-cancel").ClickAsync();
        await Expect(dialog).ToBeHiddenAsync();
        Assert.NotNull(fixture.App.Scheduler.GetJob("doomed"));

        await remove.ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();
        await Expect(page.Locator("#jobs-view")).ToBeVisibleAsync();
        await Expect(page.Locator("#jobs tr")).ToHaveCountAsync(3, s_wait);
        await Expect(page.Locator("#jobs")).Not.ToContainTextAsync("doomed");
        Assert.Null(fixture.App.Scheduler.GetJob("doomed"));
        Assert.Contains(fixture.App.Logs.Records, static r => r.Message == "Dashboard: remove of job doomed by anonymous (loopback) from 127.0.0.1: done");
        await watched.AssertCleanAsync();
    }

    [Fact]
    public async Task RunNow_AfterConfirming_AddsARowToTheHistory()
    {
        await using var watched = await fixture.OpenAsync("#/jobs/cleanup");
        var page = watched.Page;
        var history = page.Locator("#runs tr");
        await Expect(page.Locator("#next-runs li")).ToHaveCountAsync(5, s_wait);
        var before = await history.CountAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Run now" }).ClickAsync();
        await page.Locator("#confirm-ok").ClickAsync();

        // The row comes when the run has ended and been stored: the page reloads the job when the event stream says
        // its counts changed.
        await Expect(history).ToHaveCountAsync(before + 1, s_wait);
        await Expect(history.First).ToContainTextAsync("Succeeded");
        await Expect(history.First).ToContainTextAsync("run by hand");
        Assert.True(fixture.App.Scheduler.GetJob("cleanup")!.RunCount >= 1);
        await watched.AssertCleanAsync();
    }

    [Fact]
    public async Task NodesView_ShowsEveryProcessOfTheStore_WithItsStatus_AndMarksThisOne()
    {
        // Besides node-a (this process): node-b, another scheduler on the store that has stopped, and node-c, whose
        // last heartbeat is a minute old, as a process that died would leave it.
        var peer = await fixture.App.StartPeerAsync("node-b");
        await peer.StopAsync();
        await fixture.App.Store.SyncAsync(
            new NodeHeartbeat
            {
                Node = "node-c",
                Owner = "dead-process",
                Host = "worker-7",
                ProcessId = 4242,
                Version = "0.1.0+0123456789abcdef",
                Started = TestClock.Epoch.AddHours(-2),
                Now = TestClock.Epoch.AddMinutes(-1),
                Jobs = 12,
                Running = 2,
                Interval = TimeSpan.FromSeconds(10) / 3,
            },
            0,
            CancellationToken.None);

        await using var watched = await fixture.OpenAsync();
        var page = watched.Page;
        await Expect(page.Locator("#jobs tr")).ToHaveCountAsync(3, s_wait);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Views" }).GetByRole(AriaRole.Link, new() { Name = "Nodes" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Nodes" })).ToBeVisibleAsync();
        await Expect(page.Locator("#jobs-view")).ToBeHiddenAsync();
        await Expect(page.Locator("#nav-nodes")).ToHaveAttributeAsync("aria-current", "page");
        var rows = page.Locator("#nodes tr");
        await Expect(rows).ToHaveCountAsync(3, s_wait);
        Assert.Equal(["node-a", "node-b", "node-c"], await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.cells[0].firstChild.textContent)"));

        var self = page.Locator($"#nodes tr[data-owner='{fixture.App.Scheduler.NodeOwner}']");
        await Expect(self).ToHaveAttributeAsync("data-status", "running");
        await Expect(self).ToContainTextAsync("this process");
        await Expect(self.Locator(".badge")).ToHaveTextAsync("Running");
        await Expect(self).ToContainTextAsync($"pid {Environment.ProcessId}");

        var stopped = page.Locator($"#nodes tr[data-owner='{peer.NodeOwner}']");
        await Expect(stopped.Locator(".badge")).ToHaveTextAsync("Stopped");
        await Expect(stopped).Not.ToContainTextAsync("this process");

        var lost = page.Locator("#nodes tr[data-owner='dead-process']");
        await Expect(lost.Locator(".badge")).ToHaveTextAsync("Lost");
        await Expect(lost).ToHaveClassAsync(new Regex(@"\blost\b"));
        await Expect(lost.Locator(".ago")).ToHaveTextAsync("1 min ago");
        await Expect(lost).ToContainTextAsync("worker-7");
        await Expect(lost).ToContainTextAsync("pid 4242");
        await Expect(lost.Locator("code")).ToHaveTextAsync("0.1.0+0123456");
        await Expect(page.Locator("#nodes-summary")).ToHaveTextAsync("3 processes: 1 running, 1 stopped, 1 lost");

        // A lost node stands out: its row is tinted, unlike the others.
        var lostBackground = await lost.Locator("td").Nth(1).EvaluateAsync<string>("td => getComputedStyle(td).backgroundColor");
        var selfBackground = await self.Locator("td").Nth(1).EvaluateAsync<string>("td => getComputedStyle(td).backgroundColor");
        Assert.NotEqual(selfBackground, lostBackground);

        await Expect(page.Locator("#live")).ToHaveTextAsync("live");
        await KeepScreenshotAsync(page, "dashboard-nodes-light.png");
        await page.Locator("#theme-toggle").ClickAsync();
        await Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await KeepScreenshotAsync(page, "dashboard-nodes-dark.png");

        await page.GetByRole(AriaRole.Link, new() { Name = "Jobs", Exact = true }).ClickAsync();
        await Expect(page.Locator("#jobs tr")).ToHaveCountAsync(3);
        await Expect(page.Locator("#nodes-view")).ToBeHiddenAsync();
        await watched.AssertCleanAsync();
    }

    [Fact]
    public async Task ThemeToggle_SwitchesToDark_AndTheChoiceOutlivesAReload()
    {
        await using var watched = await fixture.OpenAsync();
        var page = watched.Page;
        var html = page.Locator("html");
        var toggle = page.Locator("#theme-toggle");
        await Expect(html).ToHaveAttributeAsync("data-theme", "light");
        var lightBackground = await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

        await toggle.ClickAsync();

        await Expect(html).ToHaveAttributeAsync("data-theme", "dark");
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.NotEqual(lightBackground, await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        await page.ReloadAsync();
        await Expect(html).ToHaveAttributeAsync("data-theme", "dark");
        await watched.AssertCleanAsync();
    }

    [Fact]
    public async Task PrefersColorSchemeDark_StartsDark()
    {
        await using var watched = await fixture.OpenAsync(colorScheme: ColorScheme.Dark);

        await Expect(watched.Page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
        await Expect(watched.Page.Locator("#jobs tr")).ToHaveCountAsync(3, s_wait);
        await KeepScreenshotAsync(watched.Page, "dashboard-dark.png");
        await watched.AssertCleanAsync();
    }
}
