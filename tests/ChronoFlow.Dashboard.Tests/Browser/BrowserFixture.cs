using Microsoft.Playwright;

namespace ChronoFlow.Dashboard.Tests.Browser;

/// <summary>
/// One Kestrel server on 127.0.0.1 (a random port) with the dashboard, and one headless system Chromium driven by
/// Playwright, shared by the tests of a class. The <c>failing</c> job has one failed run in its history before any test.
/// Playwright downloads no browser: the system's Chromium (Debian: <c>apt-get install chromium</c>) is used, or the one
/// <c>CHROMIUM_PATH</c> names. Without it the tests fail and say so.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private static readonly string[] s_candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

    private IPlaywright? _playwright;

    public DashboardApp App { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public Uri DashboardUrl => new(App.BaseAddress, "chronoflow/");

    public async Task InitializeAsync()
    {
        App = await DashboardApp.StartAsync(kestrel: true);
        await App.RunAndRecordAsync("failing");

        var executable = FindChromium();
        _playwright = await Playwright.CreateAsync();
        try
        {
            Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = executable, Headless = true, Args = ["--no-sandbox"] });
        }
        catch (PlaywrightException e)
        {
            throw new InvalidOperationException($"The dashboard's browser tests could not launch Chromium at {executable}: {e.Message}", e);
        }
    }

    public async Task DisposeAsync()
    {
        // The browser first: its open event streams end with it, so the server stops at once.
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (App is not null)
        {
            await App.DisposeAsync();
        }
    }

    /// <summary>A fresh browser context and page that records console errors, page errors and CSP violations.</summary>
    public async Task<WatchedPage> OpenAsync(string fragment = "", ColorScheme colorScheme = ColorScheme.Light)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ColorScheme = colorScheme });
        await context.AddInitScriptAsync("window.__cspViolations = 0; document.addEventListener('securitypolicyviolation', () => { window.__cspViolations++; });");
        var page = await context.NewPageAsync();
        var watched = new WatchedPage(context, page);
        await page.GotoAsync(new Uri(DashboardUrl, fragment).ToString());
        return watched;
    }

    private static string FindChromium()
    {
        var configured = Environment.GetEnvironmentVariable("CHROMIUM_PATH");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"CHROMIUM_PATH names {configured}, which does not exist: the dashboard's browser tests need a Chromium.");
        }

        return s_candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"The dashboard's browser tests need a system Chromium and found none at {string.Join(", ", s_candidates)}: install it (Debian: apt-get install -y chromium; .ci/run does) or set CHROMIUM_PATH.");
    }
}

/// <summary>A page whose console errors, uncaught exceptions and CSP violations are kept for <see cref="AssertCleanAsync"/>.</summary>
public sealed class WatchedPage : IAsyncDisposable
{
    private readonly IBrowserContext _context;
    private readonly List<string> _problems = [];

    public WatchedPage(IBrowserContext context, IPage page)
    {
        _context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                lock (_problems)
                {
                    _problems.Add($"console {message.Type}: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_problems)
            {
                _problems.Add("page error: " + error);
            }
        };
    }

    public IPage Page { get; }

    public async Task AssertCleanAsync()
    {
        // CSP violations are also reported to the page as events; count them there as well as in the console.
        var violations = await Page.EvaluateAsync<int>("() => window.__cspViolations || 0");
        lock (_problems)
        {
            Assert.True(_problems.Count == 0 && violations == 0, $"The page reported problems ({violations} CSP violation events):\n{string.Join('\n', _problems)}");
        }
    }

    public async ValueTask DisposeAsync() => await _context.DisposeAsync();
}
