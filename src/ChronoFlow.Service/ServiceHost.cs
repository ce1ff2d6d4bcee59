using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using OpenTelemetry.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace ChronoFlow.Service;

/// <summary>
/// The service proper: a Generic Host with <c>AddChronoFlow()</c> in hard mode, the job files of
/// <see cref="ServiceOptions.JobsDirectory"/> and the crontabs, and systemd integration (readiness notification for
/// <c>Type=notify</c>, journald's log format) when systemd started it.
/// </summary>
internal static class ServiceHost
{
    /// <summary>The job-file options the service runs with, for both the service and <c>--check</c>.</summary>
    public static JobFileSourceOptions CreateSourceOptions(ServiceOptions options)
    {
        var source = new JobFileSourceOptions { JobsDirectory = options.JobsDirectory, NodeName = options.Node };
        foreach (var crontab in options.Crontabs)
        {
            source.CrontabFiles.Add(crontab);
        }

        return source;
    }

    /// <returns>0 after a normal stop; 1 when the service cannot start (a missing jobs directory or crontab, a bad setting, a store that cannot be opened).</returns>
    public static async Task<int> RunAsync(ServiceOptions options)
    {
        var format = SystemdHelpers.IsSystemdService() ? ConsoleLogFormat.Journald : ConsoleLogFormat.Plain;
        var provider = new ConsoleLogProvider(format, TimeProvider.System, Console.Out, stackTraces: options.LogLevel <= LogLevel.Debug);
        using var startupLogs = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(options.LogLevel));
        var startupLog = startupLogs.CreateLogger("ChronoFlow.Service");

        // A service manager needs a failed start, not a service that runs nothing: fail before readiness is reported.
        if (MissingInput(options) is { } missing)
        {
            ServiceLog.CannotStart(startupLog, missing);
            return 1;
        }

        IHostApplicationBuilder builder = options.Dashboard is null
            ? Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] })
            : WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        Configure(builder, options, provider, SchedulerMode.Hard, watch: true);
        builder.Services.AddSystemd();

        // After AddChronoFlow, so it starts once the jobs are loaded and stops before the scheduler does.
        builder.Services.AddHostedService<ServiceMonitor>();

        try
        {
            using var host = builder is WebApplicationBuilder web ? BuildDashboard(web, options.Dashboard!) : ((HostApplicationBuilder)builder).Build();
            if (options.Dashboard is { } address)
            {
                var origin = "http://" + address.ToString();
                ServiceLog.Dashboard(startupLog, origin + "/chronoflow/", origin + "/metrics");
            }

            await host.RunAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStartFailure(ex))
        {
            ServiceLog.CannotStart(startupLog, ex.Message);
            return 1;
        }

        ServiceLog.Stopped(startupLog);
        return 0;
    }

    /// <summary>
    /// <c>run-due</c>: start, run what is due by the store (catch-up included), wait for those runs, stop.
    /// </summary>
    /// <returns>0 when every run succeeded; 1 when one failed or could not be recorded, or nothing could start.</returns>
    public static async Task<int> RunDueAsync(ServiceOptions options)
    {
        var provider = new ConsoleLogProvider(ConsoleLogFormat.Plain, TimeProvider.System, Console.Out, stackTraces: options.LogLevel <= LogLevel.Debug);
        using var startupLogs = LoggerFactory.Create(b => b.AddProvider(provider).SetMinimumLevel(options.LogLevel));
        var log = startupLogs.CreateLogger("ChronoFlow.Service");
        if (MissingInput(options) is { } missing)
        {
            ServiceLog.CannotStart(log, missing);
            return 1;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        Configure(builder, options, provider, SchedulerMode.Soft, watch: false);
        try
        {
            using var host = builder.Build();
            var scheduler = host.Services.GetRequiredService<JobScheduler>();

            // Starting opens the store, loads the job files and restores every job's state: what fell due since the
            // last run is now due, as misfires, and the next pump applies each job's policy.
            await host.StartAsync().ConfigureAwait(false);

            // A run-due is not a start of the service: @reboot jobs wait for a real one. Removing them here leaves their
            // stored state as it is.
            foreach (var job in scheduler.GetJobs())
            {
                if (job.Schedule.Kind == ScheduleKind.Startup)
                {
                    scheduler.Unregister(job.Id);
                }
            }

            var started = scheduler.Pump();
            await scheduler.WaitForIdleAsync().ConfigureAwait(false);
            var status = scheduler.GetStatus();
            await host.StopAsync().ConfigureAwait(false);
            ServiceLog.RanDue(log, started, status.SucceededCount, status.FailedCount, status.SkippedCount, options.Store.ToString());
            return status.FailedCount > 0 || status.StoreError is not null ? 1 : 0;
        }
        catch (Exception ex) when (IsStartFailure(ex))
        {
            ServiceLog.CannotStart(log, ex.Message);
            return 1;
        }
    }

    /// <summary>
    /// The service with <c>--dashboard</c>: Kestrel on that address only, the dashboard at <c>/chronoflow/</c> (loopback
    /// requests only, as the dashboard does by default) and the <c>ChronoFlow</c> meter for Prometheus at <c>/metrics</c>.
    /// </summary>
    private static WebApplication BuildDashboard(WebApplicationBuilder builder, System.Net.IPEndPoint address)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address));
        builder.Services.AddChronoFlowDashboard(dashboard => dashboard.Title = "chronoflow on " + Environment.MachineName);
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter("ChronoFlow").AddPrometheusExporter());
        var app = builder.Build();
        app.MapChronoFlowDashboard("/chronoflow");
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapGet("/", () => Results.Redirect("chronoflow/"));
        return app;
    }

    /// <summary>What every command's host runs: <c>AddChronoFlow()</c> with the job files, the crontabs and the store.</summary>
    private static void Configure(IHostApplicationBuilder builder, ServiceOptions options, ConsoleLogProvider provider, SchedulerMode mode, bool watch)
    {
        builder.Logging.ClearProviders().AddProvider(provider).SetMinimumLevel(options.LogLevel);

        // The host's own start-up chatter ("Application started. Press Ctrl+C ...") is not the service's log.
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Services.AddSingleton(options);

        var chronoFlow = builder.Services.AddChronoFlow(scheduler =>
        {
            scheduler.Mode = mode;
            scheduler.NodeName = options.Node;

            // On stop, running commands are told to stop at once (SIGTERM, then SIGKILL after the grace period),
            // as cron's own shutdown does, rather than waited for.
            scheduler.ShutdownTimeout = mode == SchedulerMode.Hard ? TimeSpan.Zero : Timeout.InfiniteTimeSpan;

            // Jobs with a "lock" key run in one process at a time on this machine.
            scheduler.LockProvider = new FileJobLockProvider(LockDirectory());
        });
        chronoFlow.AddJobsDirectory(options.JobsDirectory).ConfigureJobFiles(files =>
        {
            files.NodeName = options.Node;
            files.Watch = watch;
        });
        foreach (var crontab in options.Crontabs)
        {
            chronoFlow.AddCrontab(crontab);
        }

        switch (options.Store.Kind)
        {
            case "sqlite":
                chronoFlow.UseSqlite(options.Store.Target!);
                break;
            case "postgresql":
                chronoFlow.UsePostgreSql(options.Store.Target!);
                break;
        }
    }

    private static bool IsStartFailure(Exception ex)
        => ex is InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException or ArgumentException or JobStoreException;

    private static string? MissingInput(ServiceOptions options)
    {
        if (!Directory.Exists(options.JobsDirectory))
        {
            return $"the jobs directory {options.JobsDirectory} does not exist; create it (it may be empty) or pass --jobs-dir DIR";
        }

        return options.Crontabs.FirstOrDefault(static c => !File.Exists(c)) is { } crontab
            ? $"the crontab file {crontab} does not exist"
            : null;
    }

    /// <summary>Under systemd with <c>StateDirectory=chronoflow</c>, the locks live there; otherwise in the temporary folder, per user.</summary>
    private static string LockDirectory()
        => Environment.GetEnvironmentVariable("STATE_DIRECTORY") is { Length: > 0 } state
            ? Path.Combine(state.Split(':')[0], "locks")
            : Path.Combine(Path.GetTempPath(), "chronoflow-locks-" + Environment.UserName);
}

/// <summary>Says when the service has started and why it stops, and logs every job's status once a minute.</summary>
internal sealed class ServiceMonitor(ServiceOptions options, JobScheduler scheduler, ILoggerFactory loggerFactory, TimeProvider? timeProvider = null) : IHostedService, IDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("ChronoFlow.Service");
    private readonly CancellationTokenSource _stop = new();
    private readonly List<PosixSignalRegistration> _signals = [];
    private string _signal = "a stop request";
    private Task _status = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Only to name the signal in the log: the host's lifetime stops the service.
        foreach (var signal in (PosixSignal[])[PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT])
        {
            _signals.Add(PosixSignalRegistration.Create(signal, context => _signal = context.Signal.ToString()));
        }

        ServiceLog.Started(_logger, options.JobsDirectory, options.Crontabs.Count, scheduler.GetJobs().Count, options.Node);
        LogStatus();
        _status = ReportAsync(timeProvider ?? scheduler.TimeProvider);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        ServiceLog.Stopping(_logger, _signal, new JobFileSourceOptions().CommandKillGracePeriod.TotalSeconds);
        await _stop.CancelAsync().ConfigureAwait(false);
        await _status.ConfigureAwait(false);
    }

    public void Dispose()
    {
        _signals.ForEach(static s => s.Dispose());
        _stop.Dispose();
    }

    private async Task ReportAsync(TimeProvider time)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(60), time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                LogStatus();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void LogStatus()
    {
        var jobs = scheduler.GetJobs().OrderBy(static j => j.Id, StringComparer.Ordinal).ToList();
        ServiceLog.Status(_logger, jobs.Count, jobs.Count(static j => j.LastOutcome is { } o && o != JobOutcome.Succeeded));
        foreach (var job in jobs)
        {
            var next = job.NextRun is { } n ? IsoTime.Format(n) : job.Schedule.Kind == ScheduleKind.Startup ? "at start-up only" : "none";
            var last = job.LastOutcome switch
            {
                null => "never run",
                JobOutcome.Succeeded => "SUCCESS",
                { } outcome => "FAILURE (" + outcome + ")",
            };
            ServiceLog.JobStatus(_logger, job.Id, job.Status.ToString(), next, job.RunCount, job.FailureCount, last);
        }
    }
}
