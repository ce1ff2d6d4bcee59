using System.Globalization;
using System.Net;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using System.Text.Json;

namespace ChronoFlow.AspNetCore.Dashboard;

/// <summary>The dashboard's routes and the checks every request passes before its handler.</summary>
internal sealed partial class DashboardEndpoints
{
    /// <summary>The policy on every dashboard response: nothing but the dashboard's own files, no inline code, no framing.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private const string JsonContentType = "application/json; charset=utf-8";
    private const string ProblemContentType = "application/problem+json; charset=utf-8";

    private readonly JobScheduler _scheduler;
    private readonly IOptionsMonitor<ChronoFlowDashboardOptions> _options;
    private readonly IAntiforgery _antiforgery;
    private readonly ILogger _logger;
    private readonly string _pattern;
    private readonly CancellationToken _stopping;

    private DashboardEndpoints(IServiceProvider services, string pattern)
    {
        _scheduler = services.GetRequiredService<JobScheduler>();
        _options = services.GetRequiredService<IOptionsMonitor<ChronoFlowDashboardOptions>>();
        _antiforgery = services.GetRequiredService<IAntiforgery>();
        _logger = (services.GetService<ILoggerFactory>() ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger("ChronoFlow.Dashboard");
        _pattern = pattern;
        _stopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None;
    }

    /// <summary>What a route is: what the guard checks and which caching it gets.</summary>
    private enum Kind
    {
        /// <summary>The page or an asset: revalidated by ETag.</summary>
        Asset,

        /// <summary>A GET of the API: never cached.</summary>
        Read,

        /// <summary>A POST, PUT or DELETE that changes a job: refused in read-only mode, needs the antiforgery token, audited.</summary>
        Action,
    }

    public static RouteGroupBuilder Map(IEndpointRouteBuilder endpoints, string pattern)
    {
        var d = new DashboardEndpoints(endpoints.ServiceProvider, pattern);
        var group = endpoints.MapGroup(pattern);
        group.MapGet("/", d.Guard(Kind.Asset, d.PageAsync)).WithDisplayName("ChronoFlow dashboard page");
        group.MapGet("/" + DashboardAssets.Script.Name, d.Guard(Kind.Asset, static c => DashboardAssets.Script.WriteAsync(c))).WithDisplayName("ChronoFlow dashboard script");
        group.MapGet("/" + DashboardAssets.Styles.Name, d.Guard(Kind.Asset, static c => DashboardAssets.Styles.WriteAsync(c))).WithDisplayName("ChronoFlow dashboard styles");
        group.MapGet("/api/info", d.Guard(Kind.Read, d.InfoAsync)).WithDisplayName("ChronoFlow dashboard info");
        group.MapGet("/api/antiforgery", d.Guard(Kind.Read, d.AntiforgeryAsync)).WithDisplayName("ChronoFlow dashboard antiforgery token");
        group.MapGet("/api/jobs", d.Guard(Kind.Read, d.JobsAsync)).WithDisplayName("ChronoFlow dashboard jobs");
        group.MapGet("/api/jobs/{id}", d.Guard(Kind.Read, d.JobAsync)).WithDisplayName("ChronoFlow dashboard job");
        group.MapGet("/api/jobs/{id}/runs", d.Guard(Kind.Read, d.RunsAsync)).WithDisplayName("ChronoFlow dashboard job runs");
        group.MapGet("/api/nodes", d.Guard(Kind.Read, d.NodesAsync)).WithDisplayName("ChronoFlow dashboard nodes");
        group.MapGet("/api/events", d.Guard(Kind.Read, d.EventsAsync)).WithDisplayName("ChronoFlow dashboard events");
        group.MapPost("/api/jobs/{id}/run", d.Guard(Kind.Action, c => d.ActAsync(c, "run"))).WithDisplayName("ChronoFlow dashboard run job");
        group.MapPost("/api/jobs/{id}/pause", d.Guard(Kind.Action, c => d.ActAsync(c, "pause"))).WithDisplayName("ChronoFlow dashboard pause job");
        group.MapPost("/api/jobs/{id}/resume", d.Guard(Kind.Action, c => d.ActAsync(c, "resume"))).WithDisplayName("ChronoFlow dashboard resume job");
        group.MapPut("/api/jobs/{id}/definition", d.Guard(Kind.Action, d.DefineAsync)).WithDisplayName("ChronoFlow dashboard define job");
        group.MapDelete("/api/jobs/{id}", d.Guard(Kind.Action, d.RemoveAsync)).WithDisplayName("ChronoFlow dashboard remove job");
        return group;
    }

    // ---- The guard ----

    private RequestDelegate Guard(Kind kind, RequestDelegate handler) => async context =>
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = kind == Kind.Asset ? "no-cache" : "no-store";

        var options = _options.CurrentValue;
        if (!options.AllowRemoteWithoutAuthorization && !HasAuthorization(context.GetEndpoint()) && RefusedAsRemote(context) is { } why)
        {
            await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Loopback only", why).ConfigureAwait(false);
            return;
        }

        if (kind == Kind.Action)
        {
            if (options.ReadOnly)
            {
                await WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Read-only dashboard",
                    $"The ChronoFlow dashboard at {_pattern} is read-only (ChronoFlowDashboardOptions.ReadOnly): jobs cannot be run, paused, resumed, defined or removed from it.").ConfigureAwait(false);
                return;
            }

            try
            {
                await _antiforgery.ValidateRequestAsync(context).ConfigureAwait(false);
            }
            catch (AntiforgeryValidationException e)
            {
                await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "Antiforgery token missing or invalid",
                    $"{context.Request.Method} {context.Request.Path} to the ChronoFlow dashboard needs the token from GET {_pattern}/api/antiforgery in its header and cookie: {e.Message}").ConfigureAwait(false);
                return;
            }
        }

        await handler(context).ConfigureAwait(false);
    };

    /// <summary>
    /// Whether the app asked for authorization on this endpoint (<c>.RequireAuthorization(...)</c> on the group), so that
    /// authorization, not the loopback rule, decides. <c>AllowAnonymous</c> cancels it, as it does for the authorization
    /// middleware.
    /// </summary>
    internal static bool HasAuthorization(Endpoint? endpoint)
    {
        var metadata = endpoint?.Metadata;
        return metadata is not null
            && metadata.GetMetadata<IAllowAnonymous>() is null
            && (metadata.GetMetadata<IAuthorizeData>() is not null || metadata.GetMetadata<AuthorizationPolicy>() is not null);
    }

    /// <summary>Why a request is refused under the loopback rule, or <see langword="null"/> when it comes from this machine.</summary>
    private string? RefusedAsRemote(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is null || !IsLoopback(remote))
        {
            return $"The ChronoFlow dashboard at {_pattern} serves only requests from this machine until the app requires authorization for it "
                + $"(app.MapChronoFlowDashboard(...).RequireAuthorization(...)); this request came from {remote?.ToString() ?? "an unknown address"}.";
        }

        // A loopback connection asking for another host name is what a DNS-rebinding page in a local browser looks like.
        var host = context.Request.Host.Host.Trim('[', ']');
        if (host.Length > 0 && !host.Equals("localhost", StringComparison.OrdinalIgnoreCase) && !(IPAddress.TryParse(host, out var address) && IsLoopback(address)))
        {
            return $"The ChronoFlow dashboard at {_pattern} serves loopback requests only for the host names localhost, 127.0.0.1 and [::1] until the app "
                + $"requires authorization for it; this request asked for host \"{context.Request.Host}\".";
        }

        return null;
    }

    private static bool IsLoopback(IPAddress address)
        => IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    // ---- The page ----

    private Task PageAsync(HttpContext context)
    {
        // The page's URLs are relative to it, so it must be served at ".../chronoflow/": redirect the path without the
        // slash with a relative Location, which works under any path base or proxy prefix.
        var path = context.Request.Path.Value ?? "";
        if (!path.EndsWith('/'))
        {
            var last = path[(path.LastIndexOf('/') + 1)..];
            context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
            context.Response.Headers.Location = last + "/" + context.Request.QueryString;
            return Task.CompletedTask;
        }

        return DashboardAssets.Page.WriteAsync(context);
    }

    // ---- The API ----

    private Task InfoAsync(HttpContext context)
    {
        var options = _options.CurrentValue;
        var status = _scheduler.GetStatus();
        return WriteJsonAsync(context, StatusCodes.Status200OK, new InfoDto(
            options.Title,
            options.ReadOnly,
            Who(context),
            _scheduler.NodeName,
            status.Mode,
            status.IsRunning,
            _scheduler.TimeProvider.GetUtcNow(),
            status.LastPump,
            status.NextDue,
            status.JobCount,
            status.RunningCount,
            status.QueueLength,
            status.FailingJobs,
            status.StoreError), DashboardJsonContext.Default.InfoDto);
    }

    private Task AntiforgeryAsync(HttpContext context)
    {
        var tokens = _antiforgery.GetAndStoreTokens(context);
        context.Response.Headers.CacheControl = "no-store";
        return WriteJsonAsync(context, StatusCodes.Status200OK, new AntiforgeryDto(tokens.HeaderName ?? "RequestVerificationToken", tokens.RequestToken ?? ""), DashboardJsonContext.Default.AntiforgeryDto);
    }

    private Task JobsAsync(HttpContext context)
        => WriteJsonAsync(context, StatusCodes.Status200OK, JobList(), DashboardJsonContext.Default.ListJobDto);

    private List<JobDto> JobList() => [.. _scheduler.GetJobs().Select(static j => ToDto(j, nextRuns: null))];

    private Task JobAsync(HttpContext context)
    {
        var id = JobId(context);
        if (_scheduler.GetJob(id) is not { } job)
        {
            return JobNotFoundAsync(context, id);
        }

        return WriteJsonAsync(context, StatusCodes.Status200OK, ToDto(job, NextRuns(job, 5)), DashboardJsonContext.Default.JobDto);
    }

    private async Task RunsAsync(HttpContext context)
    {
        var id = JobId(context);
        if (_scheduler.GetJob(id) is null)
        {
            await JobNotFoundAsync(context, id).ConfigureAwait(false);
            return;
        }

        var query = context.Request.Query;
        var limit = 50;
        if (query.TryGetValue("limit", out var limitText) && !(int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= 1000))
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "Bad limit",
                $"GET {context.Request.Path}: limit must be a whole number from 1 to 1000, not \"{limitText}\".").ConfigureAwait(false);
            return;
        }

        long? before = null;
        if (query.TryGetValue("before", out var beforeText))
        {
            if (!long.TryParse(beforeText, NumberStyles.None, CultureInfo.InvariantCulture, out var b) || b <= 0)
            {
                await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "Bad before",
                    $"GET {context.Request.Path}: before must be the id of a run (a positive whole number), not \"{beforeText}\".").ConfigureAwait(false);
                return;
            }

            before = b;
        }

        IReadOnlyList<RunRecord> runs;
        try
        {
            runs = await _scheduler.GetRunsAsync(id, new RunQuery(limit, before), context.RequestAborted).ConfigureAwait(false);
        }
        catch (JobStoreException e)
        {
            await StoreUnavailableAsync(context, e).ConfigureAwait(false);
            return;
        }

        var page = runs.Select(static r => new RunDto(
            r.Id,
            r.ScheduledTime,
            r.StartedTime,
            r.EndedTime,
            r.Duration?.TotalMilliseconds,
            r.Outcome,
            r.Skipped == SkipReason.None ? null : r.Skipped,
            r.Count,
            r.Manual,
            r.Attempt,
            r.Node,
            r.Error,
            r.Output)).ToList();
        await WriteJsonAsync(context, StatusCodes.Status200OK, page, DashboardJsonContext.Default.ListRunDto).ConfigureAwait(false);
    }

    /// <summary>
    /// The node registry: every process sharing the scheduler's store (this one alone without a store), by node name
    /// and newest process first, with this one marked. A store that cannot be read gives 503 with the store's message.
    /// </summary>
    private async Task NodesAsync(HttpContext context)
    {
        NodesDto nodes;
        try
        {
            nodes = await NodeListAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (JobStoreException e)
        {
            await StoreUnavailableAsync(context, e).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, nodes, DashboardJsonContext.Default.NodesDto).ConfigureAwait(false);
    }

    /// <exception cref="JobStoreException">The store could not be read.</exception>
    private async Task<NodesDto> NodeListAsync(CancellationToken cancellationToken)
    {
        var list = await _scheduler.GetNodesAsync(cancellationToken).ConfigureAwait(false);
        var now = list.Now;
        var self = _scheduler.NodeOwner;
        var nodes = list.Nodes
            .OrderBy(static n => n.Node, StringComparer.Ordinal)
            .ThenByDescending(static n => n.Started)
            .ThenBy(static n => n.Owner, StringComparer.Ordinal)
            .Select(n => new NodeDto(
                n.Node,
                n.Owner,
                n.Host,
                n.ProcessId,
                n.Version,
                n.Started,
                n.LastSeen,
                (long)(now - n.LastSeen).TotalSeconds,
                n.GetStatus(now) switch
                {
                    NodeStatus.Running => "running",
                    NodeStatus.Stopped => "stopped",
                    _ => "lost",
                },
                n.Jobs,
                n.Running,
                n.Owner == self))
            .ToList();
        return new NodesDto(now, nodes);
    }

    private async Task ActAsync(HttpContext context, string action)
    {
        var id = JobId(context);
        if (_scheduler.GetJob(id) is null)
        {
            await JobNotFoundAsync(context, id).ConfigureAwait(false);
            return;
        }

        var done = action switch
        {
            "run" => _scheduler.Trigger(id),
            "pause" => _scheduler.Pause(id),
            _ => _scheduler.Resume(id),
        };
        var who = Who(context);
        var from = context.Connection.RemoteIpAddress?.ToString() ?? "an unknown address";
        LogAction(_logger, action, id, who, from, done ? "done" : "refused (busy or gone)");

        if (_scheduler.GetJob(id) is not { } job)
        {
            await JobNotFoundAsync(context, id).ConfigureAwait(false);
            return;
        }

        if (!done)
        {
            // Trigger returns false for a known job when it already runs as many runs as its MaxConcurrency allows.
            await WriteProblemAsync(context, StatusCodes.Status409Conflict, "Job busy",
                $"Job \"{id}\" is busy: it already runs as many runs as its MaxConcurrency allows, so the run was skipped.").ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, action == "run" ? StatusCodes.Status202Accepted : StatusCodes.Status200OK, ToDto(job, NextRuns(job, 5)), DashboardJsonContext.Default.JobDto).ConfigureAwait(false);
    }

    /// <summary>
    /// PUT api/jobs/{id}/definition: defines the job as data from the body (the JSON of a job file), for every process
    /// sharing the store (<see cref="JobScheduler.Define(string, string)"/>). 200 with whether it runs here too; 400 for
    /// an invalid definition, with what is wrong and where; 409 when the id is a job of the application's code, or the
    /// scheduler has no definition binder.
    /// </summary>
    private async Task DefineAsync(HttpContext context)
    {
        var id = JobId(context);
        string definition;
        using (var reader = new StreamReader(context.Request.Body, System.Text.Encoding.UTF8))
        {
            definition = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        var who = Who(context);
        var from = context.Connection.RemoteIpAddress?.ToString() ?? "an unknown address";
        bool runsHere;
        try
        {
            runsHere = _scheduler.Define(id, definition);
        }
        catch (FormatException e)
        {
            LogAction(_logger, "define", id, who, from, "refused (invalid definition)");
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "Invalid definition", $"PUT {context.Request.Path}: {e.Message}").ConfigureAwait(false);
            return;
        }
        catch (InvalidOperationException e)
        {
            LogAction(_logger, "define", id, who, from, "refused (cannot be defined here)");
            await WriteProblemAsync(context, StatusCodes.Status409Conflict, "Job cannot be defined", $"PUT {context.Request.Path}: {e.Message}").ConfigureAwait(false);
            return;
        }
        catch (ArgumentException e)
        {
            await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "Bad job id", $"PUT {context.Request.Path}: {e.Message}").ConfigureAwait(false);
            return;
        }

        LogAction(_logger, "define", id, who, from, runsHere ? "done" : "done (stored; its task type is not known here, so other processes run it)");
        await WriteJsonAsync(context, StatusCodes.Status200OK, new JobDefinedDto(id, runsHere), DashboardJsonContext.Default.JobDefinedDto).ConfigureAwait(false);
    }

    /// <summary>
    /// DELETE api/jobs/{id}: removes the job from every process sharing the store and deletes its stored definition
    /// (<see cref="JobScheduler.Remove(string)"/>); 404 when neither this process nor the store had it.
    /// </summary>
    private async Task RemoveAsync(HttpContext context)
    {
        var id = JobId(context);
        var removed = _scheduler.Remove(id);
        LogAction(_logger, "remove", id, Who(context), context.Connection.RemoteIpAddress?.ToString() ?? "an unknown address", removed ? "done" : "refused (no such job)");
        if (!removed)
        {
            await JobNotFoundAsync(context, id).ConfigureAwait(false);
            return;
        }

        await WriteJsonAsync(context, StatusCodes.Status200OK, new JobRemovedDto(id), DashboardJsonContext.Default.JobRemovedDto).ConfigureAwait(false);
    }

    /// <summary>
    /// Server-sent events: a <c>jobs</c> event with the same list as <c>GET api/jobs</c> at once, then again whenever it
    /// changes (looked at every <see cref="ChronoFlowDashboardOptions.EventsInterval"/>), and a comment now and then so
    /// that proxies keep the stream open. With <c>?nodes=1</c> (the page's nodes view), a <c>nodes</c> event with the
    /// same content as <c>GET api/nodes</c> likewise, which reads the store at each look; while the store cannot be
    /// read, a <c>nodes-failed</c> event with the 503 problem instead.
    /// </summary>
    private async Task EventsAsync(HttpContext context)
    {
        var withNodes = context.Request.Query["nodes"] == "1";
        // Ends when the page goes away or the app stops, so that an open page does not hold up a graceful shutdown.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
        var aborted = linked.Token;
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var interval = _options.CurrentValue.EventsInterval;
        var quietTicks = Math.Max(1, (int)(TimeSpan.FromSeconds(15) / interval));
        using var timer = new PeriodicTimer(interval);
        byte[]? last = null;
        (string Name, byte[] Data)? lastNodes = null;
        var quiet = 0;
        try
        {
            await context.Response.WriteAsync("retry: 5000\n\n", aborted).ConfigureAwait(false);
            do
            {
                var sent = false;
                var snapshot = JsonSerializer.SerializeToUtf8Bytes(JobList(), DashboardJsonContext.Default.ListJobDto);
                if (last is null || !snapshot.AsSpan().SequenceEqual(last))
                {
                    last = snapshot;
                    sent = true;
                    await WriteEventAsync(context, "jobs", snapshot, aborted).ConfigureAwait(false);
                }

                if (withNodes)
                {
                    var (name, data, error) = await NodesEventAsync(context, aborted).ConfigureAwait(false);
                    if (lastNodes is not { } previous || previous.Name != name || !data.AsSpan().SequenceEqual(previous.Data))
                    {
                        lastNodes = (name, data);
                        sent = true;
                        if (error is not null)
                        {
                            // Once per failure the page sees, not at every look.
                            LogStoreReadFailed(_logger, error, context.Request.Path, error.Message);
                        }

                        await WriteEventAsync(context, name, data, aborted).ConfigureAwait(false);
                    }
                }

                if (sent)
                {
                    quiet = 0;
                }
                else if (++quiet >= quietTicks)
                {
                    quiet = 0;
                    await context.Response.WriteAsync(": still here\n\n", aborted).ConfigureAwait(false);
                }

                await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(aborted).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The page went away: the normal end of a stream.
        }
    }

    /// <summary>The <c>nodes</c> event's name and data, or <c>nodes-failed</c> and the 503 problem when the store cannot be read.</summary>
    private async Task<(string Name, byte[] Data, JobStoreException? Error)> NodesEventAsync(HttpContext context, CancellationToken cancellationToken)
    {
        try
        {
            var nodes = await NodeListAsync(cancellationToken).ConfigureAwait(false);
            return ("nodes", JsonSerializer.SerializeToUtf8Bytes(nodes, DashboardJsonContext.Default.NodesDto), null);
        }
        catch (JobStoreException e)
        {
            return ("nodes-failed", JsonSerializer.SerializeToUtf8Bytes(StoreUnavailable(context, e), DashboardJsonContext.Default.ProblemDto), e);
        }
    }

    private static async Task WriteEventAsync(HttpContext context, string name, byte[] data, CancellationToken cancellationToken)
    {
        await context.Response.WriteAsync($"event: {name}\ndata: ", cancellationToken).ConfigureAwait(false);
        await context.Response.Body.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        await context.Response.WriteAsync("\n\n", cancellationToken).ConfigureAwait(false);
    }

    // ---- Helpers ----

    private static string JobId(HttpContext context) => context.Request.RouteValues["id"] as string ?? "";

    private static string Who(HttpContext context)
    {
        var identity = context.User.Identity;
        if (identity?.IsAuthenticated == true)
        {
            return string.IsNullOrEmpty(identity.Name) ? "an authenticated user without a name" : identity.Name;
        }

        var remote = context.Connection.RemoteIpAddress;
        return remote is not null && IsLoopback(remote) ? "anonymous (loopback)" : "anonymous";
    }

    private List<DateTimeOffset> NextRuns(JobInfo job, int count)
    {
        // The engine's own occurrences: from the next run when there is one, else (paused, disabled) from now, so a
        // paused job still shows what its schedule would do.
        var runs = new List<DateTimeOffset>(count);
        var next = job.NextRun ?? job.Schedule.GetNextOccurrence(_scheduler.TimeProvider.GetUtcNow());
        while (next is { } at && runs.Count < count)
        {
            runs.Add(at);
            next = job.Schedule.GetNextOccurrence(at);
        }

        return runs;
    }

    internal static JobDto ToDto(JobInfo job, IReadOnlyList<DateTimeOffset>? nextRuns)
    {
        var (text, zone) = ScheduleDescriber.SplitZone(job.Schedule);
        return new JobDto
        {
            Id = job.Id,
            Description = job.Description,
            Schedule = text,
            ScheduleKind = job.Schedule.Kind,
            ScheduleDescription = ScheduleDescriber.Describe(job.Schedule.Kind, text),
            Zone = zone,
            Status = job.Status,
            Paused = job.Status == JobStatus.Paused,
            NextRun = job.NextRun,
            LastRun = job.LastRun,
            LastScheduledTime = job.LastScheduledTime,
            LastOutcome = job.LastOutcome,
            LastDuration = job.LastDuration?.TotalMilliseconds,
            LastError = job.LastError,
            InFlight = job.InFlight,
            Counts = new JobCountsDto(job.RunCount, job.SuccessCount, job.FailureCount, job.TimeoutCount, job.RetryCount, job.SkipCount,
                job.MisfireCount, job.RejectedCount, job.CoalescedCount, job.AbandonedCount),
            NextRuns = nextRuns,
        };
    }

    /// <summary>503 for a store that cannot be read, with the store's own message (which names it and the cause); logged.</summary>
    private Task StoreUnavailableAsync(HttpContext context, JobStoreException e)
    {
        LogStoreReadFailed(_logger, e, context.Request.Path, e.Message);
        var problem = StoreUnavailable(context, e);
        return WriteProblemAsync(context, problem.Status, problem.Title, problem.Detail);
    }

    private ProblemDto StoreUnavailable(HttpContext context, JobStoreException e)
        => new("Job store unavailable", StatusCodes.Status503ServiceUnavailable,
            $"GET {context.Request.Path}: the ChronoFlow scheduler behind {_pattern} could not read its job store: {e.Message}");

    private Task JobNotFoundAsync(HttpContext context, string id)
        => WriteProblemAsync(context, StatusCodes.Status404NotFound, "Job not found", $"There is no job with id \"{id}\" in the ChronoFlow scheduler behind {_pattern}.");

    private static Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.Headers.CacheControl = "no-store";
        return WriteJsonAsync(context, status, new ProblemDto(title, status, detail), DashboardJsonContext.Default.ProblemDto, ProblemContentType);
    }

    private static Task WriteJsonAsync<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type, string contentType = JsonContentType)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
    }

    [LoggerMessage(EventId = 1, EventName = "DashboardAction", Level = LogLevel.Information,
        Message = "Dashboard: {Action} of job {JobId} by {User} from {RemoteAddress}: {Result}")]
    private static partial void LogAction(ILogger logger, string action, string jobId, string user, string remoteAddress, string result);

    [LoggerMessage(EventId = 2, EventName = "DashboardStoreReadFailed", Level = LogLevel.Warning,
        Message = "Dashboard: GET {Path} could not read the job store: {Error}")]
    private static partial void LogStoreReadFailed(ILogger logger, Exception exception, string path, string error);
}
