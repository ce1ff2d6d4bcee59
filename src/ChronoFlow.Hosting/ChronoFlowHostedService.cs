using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ChronoFlow.Hosting;

/// <summary>
/// Starts and stops the <see cref="JobScheduler"/> with the host: starts the <see cref="IJobSource"/>s before the first run, starts the
/// scheduler (the timer in hard mode, the fallback tick if any in soft mode), registers startup jobs once the host
/// has started, and drains on stop.
/// </summary>
internal sealed partial class ChronoFlowHostedService(
    JobScheduler scheduler,
    ChronoFlowSetup setup,
    IServiceProvider services,
    ILoggerFactory? loggerFactory = null,
    IHostApplicationLifetime? lifetime = null) : IHostedService
{
    private readonly ILogger _logger = (ILogger?)loggerFactory?.CreateLogger("ChronoFlow.Hosting") ?? NullLogger.Instance;
    private readonly List<IJobSource> _sources = [];
    private CancellationTokenRegistration _started;

    /// <summary>Builds the scheduler and adds the code and configuration jobs, except startup jobs, which wait for the host.</summary>
    internal static JobScheduler CreateScheduler(IServiceProvider services)
    {
        // Reading the options runs SchedulerOptionsValidator, which also reports the setup's errors, so a broken setup is
        // refused here too when the scheduler is resolved outside a host (where ValidateOnStart does not run).
        var options = services.GetRequiredService<IOptions<SchedulerOptions>>().Value;
        var setup = services.GetRequiredService<ChronoFlowSetup>();
        var scheduler = new JobScheduler(options, services.GetService<TimeProvider>() ?? TimeProvider.System, services.GetService<ILoggerFactory>());
        foreach (var job in setup.Jobs)
        {
            if (job.Schedule.Kind != ScheduleKind.Startup)
            {
                scheduler.AddOrUpdate(job.JobId, job.Schedule, job.Registration.CreateAction(services), job.Options);
            }
        }

        return scheduler;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Every source is loaded before the scheduler starts, so the first run already sees every job.
        var sources = services.GetServices<IJobSource>().ToList();
        foreach (var source in sources)
        {
            await source.StartAsync(scheduler, cancellationToken).ConfigureAwait(false);
            _sources.Add(source);
        }

        await scheduler.StartAsync(cancellationToken).ConfigureAwait(false);
        var startupJobs = setup.Jobs.Count(static j => j.Schedule.Kind == ScheduleKind.Startup);
        Log.Started(_logger, scheduler.Mode, scheduler.GetJobs().Count + startupJobs, startupJobs, _sources.Count);
        if (lifetime is null)
        {
            RegisterStartupJobs();
        }
        else
        {
            _started = lifetime.ApplicationStarted.Register(static s => ((ChronoFlowHostedService)s!).RegisterStartupJobs(), this);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _started.DisposeAsync().ConfigureAwait(false);
        // Sources stop first, so that nothing they watch changes the jobs while the scheduler drains.
        for (var i = _sources.Count - 1; i >= 0; i--)
        {
            await _sources[i].StopAsync(cancellationToken).ConfigureAwait(false);
        }

        await scheduler.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private void RegisterStartupJobs()
    {
        foreach (var job in setup.Jobs)
        {
            if (job.Schedule.Kind == ScheduleKind.Startup)
            {
                try
                {
                    scheduler.AddOrUpdate(job.JobId, job.Schedule, job.Registration.CreateAction(services), job.Options);
                }
                catch (ObjectDisposedException)
                {
                    // The host is already stopping.
                    return;
                }
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 600, EventName = "HostStarted", Level = LogLevel.Information,
            Message = "ChronoFlow started with the host in {Mode} mode: {JobCount} jobs ({StartupJobCount} to run once the host has started), {SourceCount} job sources")]
        public static partial void Started(ILogger logger, SchedulerMode mode, int jobCount, int startupJobCount, int sourceCount);
    }
}
