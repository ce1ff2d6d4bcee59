using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using ChronoFlow.AspNetCore;
using ChronoFlow.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ChronoFlow.Dashboard.Tests;

/// <summary>
/// A web app with the dashboard over a soft-mode scheduler on a fake clock, with three jobs: <c>report</c> (weekdays at
/// 08:00 London time), <c>cleanup</c> (every 15 minutes, reports output) and <c>failing</c> (every 10 minutes, throws);
/// it binds jobs defined as data as the hosting of ChronoFlow.Files does (<see cref="JobFileDefinitionBinder"/>).
/// In TestServer, a request's remote address is 127.0.0.1 unless the header <c>X-Test-Remote</c> names another, and the
/// header <c>X-Test-User</c> signs the request in as that user (scheme "Test"). <see cref="StartPeerAsync"/> starts
/// other schedulers on the same store, as other processes of a cluster would be.
/// </summary>
public sealed class DashboardApp : IAsyncDisposable
{
    public const string RemoteHeader = "X-Test-Remote";
    public const string UserHeader = "X-Test-User";

    private DashboardApp(WebApplication app, JobScheduler scheduler, TestClock clock, SignallingStore store, LogSink logs)
    {
        App = app;
        Scheduler = scheduler;
        Clock = clock;
        Store = store;
        Logs = logs;
    }

    public WebApplication App { get; }

    public JobScheduler Scheduler { get; }

    public TestClock Clock { get; }

    public SignallingStore Store { get; }

    public LogSink Logs { get; }

    private readonly List<JobScheduler> _peers = [];

    /// <summary>The address of the Kestrel server (browser tests), ending in a slash.</summary>
    public Uri BaseAddress => new(App.Urls.First().TrimEnd('/') + "/");

    public HttpClient CreateClient() => App.GetTestClient();

    public static async Task<DashboardApp> StartAsync(
        Action<ChronoFlowDashboardOptions>? options = null,
        Func<WebApplication, IEndpointConventionBuilder>? map = null,
        string? pathBase = null,
        bool kestrel = false,
        bool withAuthentication = false,
        bool withStore = true)
    {
        var clock = new TestClock();
        var store = new SignallingStore(new InMemoryJobStore());
        var scheduler = new JobScheduler(
            new SchedulerOptions
            {
                Mode = SchedulerMode.Soft,
                ShutdownTimeout = TimeSpan.Zero,
                Store = withStore ? store : null,
                NodeName = "node-a",
                DefinitionBinder = new JobFileDefinitionBinder(),
            },
            clock);
        RegisterJobs(scheduler);
        await scheduler.StartAsync();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = "Development" });
        var logs = new LogSink();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        if (kestrel)
        {
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        builder.Services.AddSingleton(scheduler);
        builder.Services.AddChronoFlowDashboard(options);
        if (withAuthentication)
        {
            builder.Services.AddAuthentication("Test").AddScheme<AuthenticationSchemeOptions, HeaderAuthenticationHandler>("Test", null);
            builder.Services.AddAuthorization(static o => o.AddPolicy("ops", static p => p.RequireAuthenticatedUser().RequireUserName("alice")));
        }

        var app = builder.Build();
        if (pathBase is not null)
        {
            app.UsePathBase(pathBase);
        }

        if (!kestrel)
        {
            app.Use(static (context, next) =>
            {
                var remote = context.Request.Headers[RemoteHeader].ToString();
                context.Connection.RemoteIpAddress = remote.Length > 0 ? IPAddress.Parse(remote) : IPAddress.Loopback;
                return next(context);
            });
        }

        if (withAuthentication)
        {
            app.UseAuthentication();
            app.UseAuthorization();
        }

        _ = map is null ? app.MapChronoFlowDashboard() : map(app);
        await app.StartAsync();
        return new DashboardApp(app, scheduler, clock, store, logs);
    }

    private static void RegisterJobs(JobScheduler scheduler)
    {
        scheduler.AddOrUpdate("report", Schedule.Cron("0 8 * * MON-FRI", TimeZoneInfo.FindSystemTimeZoneById("Europe/London")),
            static (_, _) => ValueTask.CompletedTask, new JobOptions { Description = "Weekday report" });
        scheduler.AddOrUpdate("cleanup", Schedule.Cron("*/15 * * * *"), static (context, _) =>
        {
            context.Output = "removed 3 files";
            return ValueTask.CompletedTask;
        }, new JobOptions { Description = "Removes old files" });
        scheduler.AddOrUpdate("failing", Schedule.Cron("*/10 * * * *"),
            static (_, _) => throw new InvalidOperationException("disk full"), new JobOptions { Description = "Always fails" });
    }

    /// <summary>Triggers a run and waits until the store holds its ended record.</summary>
    public async Task RunAndRecordAsync(string jobId)
    {
        var ended = Store.WhenEnded(jobId, Store.EndedCount(jobId) + 1);
        Assert.True(Scheduler.Trigger(jobId), $"Trigger(\"{jobId}\") returned false");
        await ended;
    }

    /// <summary>
    /// Starts another scheduler on the app's store, as another process of the cluster, with one job of its own; on the
    /// app's clock unless given one. It has sent its first heartbeat when this returns; the app disposes of it.
    /// </summary>
    public async Task<JobScheduler> StartPeerAsync(string nodeName, TimeProvider? clock = null)
    {
        var peer = new JobScheduler(
            new SchedulerOptions { Mode = SchedulerMode.Soft, ShutdownTimeout = TimeSpan.Zero, Store = Store, NodeName = nodeName }, clock ?? Clock);
        peer.AddOrUpdate("yearly-" + nodeName, Schedule.Cron("0 0 1 1 *"), static (_, _) => ValueTask.CompletedTask);
        lock (_peers)
        {
            _peers.Add(peer);
        }

        await peer.StartAsync();
        return peer;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Scheduler.DisposeAsync();
        foreach (var peer in _peers)
        {
            await peer.DisposeAsync();
        }
    }
}

/// <summary>
/// An <see cref="IJobStore"/> over another that lets a test wait until a job's ended runs or a heartbeat are written,
/// and fail the node registry's reads.
/// </summary>
public sealed class SignallingStore(IJobStore inner) : IJobStore
{
    /// <summary>What <see cref="GetNodesAsync"/> and <see cref="GetRunsAsync"/> throw while <see cref="FailReads"/> is set.</summary>
    public const string ReadFailure = "Could not read the job store 'test.db': disk I/O error";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _ended = new(StringComparer.Ordinal);
    private readonly List<(string JobId, int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly List<NodeHeartbeat> _heartbeats = [];
    private readonly List<(Func<NodeHeartbeat, bool> Match, TaskCompletionSource Done)> _heartbeatWaiters = [];

    /// <summary>Gets or sets whether reads of the node registry and of run history fail with <see cref="ReadFailure"/>.</summary>
    public bool FailReads { get; set; }

    /// <summary>Completes once a heartbeat that <paramref name="match"/> accepts has been written (it may have been already).</summary>
    public Task WhenHeartbeat(Func<NodeHeartbeat, bool> match)
    {
        lock (_gate)
        {
            if (_heartbeats.Exists(h => match(h)))
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _heartbeatWaiters.Add((match, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public int EndedCount(string jobId)
    {
        lock (_gate)
        {
            return _ended.GetValueOrDefault(jobId);
        }
    }

    public Task WhenEnded(string jobId, int count)
    {
        lock (_gate)
        {
            if (_ended.GetValueOrDefault(jobId) >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((jobId, count, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public ValueTask<IReadOnlyList<JobState>> OpenAsync(string node, CancellationToken cancellationToken) => inner.OpenAsync(node, cancellationToken);

    public async ValueTask<StoreWriteResult> WriteAsync(StoreBatch batch, CancellationToken cancellationToken)
    {
        var ended = batch.Records.Where(static r => r.Outcome is not null).Select(static r => r.JobId).ToList();
        var result = await inner.WriteAsync(batch, cancellationToken);
        lock (_gate)
        {
            foreach (var jobId in ended)
            {
                _ended[jobId] = _ended.GetValueOrDefault(jobId) + 1;
            }

            foreach (var waiter in _waiters.Where(w => _ended.GetValueOrDefault(w.JobId) >= w.Count).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }

        return result;
    }

    public ValueTask<IReadOnlyList<RunRecord>> AbandonExpiredAsync(DateTimeOffset now, CancellationToken cancellationToken) => inner.AbandonExpiredAsync(now, cancellationToken);

    public ValueTask<IReadOnlyList<RunRecord>> GetRunsAsync(string jobId, RunQuery query, CancellationToken cancellationToken)
        => FailReads ? throw new JobStoreException(ReadFailure) : inner.GetRunsAsync(jobId, query, cancellationToken);

    public async ValueTask<StoreSync> SyncAsync(NodeHeartbeat heartbeat, long sinceVersion, CancellationToken cancellationToken)
    {
        var sync = await inner.SyncAsync(heartbeat, sinceVersion, cancellationToken);
        lock (_gate)
        {
            _heartbeats.Add(heartbeat);
            foreach (var waiter in _heartbeatWaiters.Where(w => w.Match(heartbeat)).ToList())
            {
                _heartbeatWaiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }

        return sync;
    }

    public ValueTask<NodeList> GetNodesAsync(CancellationToken cancellationToken)
        => FailReads ? throw new JobStoreException(ReadFailure) : inner.GetNodesAsync(cancellationToken);
}

/// <summary>Signs a request in as the user its <c>X-Test-User</c> header names; no header, no user.</summary>
public sealed class HeaderAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var user = Request.Headers[DashboardApp.UserHeader].ToString();
        if (user.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user)], "Test");
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), "Test")));
    }
}

/// <summary>One log record with its category.</summary>
public sealed record LogRecord(string Category, LogLevel Level, EventId EventId, string Message);

/// <summary>A logger provider that keeps every record, for assertions on the audit lines.</summary>
public sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<LogRecord> _records = new();

    public IReadOnlyList<LogRecord> Records => [.. _records];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => sink._records.Enqueue(new LogRecord(category, logLevel, eventId, formatter(state, exception)));
    }
}
