using System.Globalization;
using System.Runtime.InteropServices;
using ChronoFlow;
using ChronoFlow.Service;
using Microsoft.Extensions.Logging;

var options = ServiceOptions.Parse(args, out var argumentError);
if (options is null)
{
    Console.Error.WriteLine($"ChronoFlow.Service: {argumentError}");
    return 2;
}

if (options.Help)
{
    Console.WriteLine(ServiceOptions.Usage);
    return 0;
}

return options.Check ? await CheckAsync(options) : await RunAsync(options);

static JobFileSourceOptions SourceOptions(ServiceOptions options, bool watch)
{
    var source = new JobFileSourceOptions { JobsDirectory = options.JobsDirectory, Watch = watch };
    foreach (var crontab in options.Crontabs)
    {
        source.CrontabFiles.Add(crontab);
    }

    return source;
}

// --check: load once, print every problem and each job's next five runs; exit 1 when anything is invalid.
static async Task<int> CheckAsync(ServiceOptions options)
{
    var time = TimeProvider.System;

    // Every definition error is printed once, below, from source.Errors (which lists all of them); the log would
    // print each a second time, so its DefinitionError (400) and DefinitionFileError (409) events are hidden here.
    // Warnings are not in source.Errors: they still come through the log.
    using var loggerFactory = new ConsoleLoggerFactory(LogLevel.Warning, time, Console.Out, static e => e.Id is 400 or 409);
    var scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft }, time);
    await using (scheduler.ConfigureAwait(false))
    {
        var source = new JobFileSource(scheduler, SourceOptions(options, watch: false), loggerFactory, time);
        await using (source.ConfigureAwait(false))
        {
            await source.StartAsync().ConfigureAwait(false);
            var now = time.GetUtcNow();
            foreach (var job in scheduler.GetJobs().OrderBy(static j => j.Id, StringComparer.Ordinal))
            {
                var state = job.Options.Enabled ? string.Empty : " (disabled)";
                Console.WriteLine($"{job.Id}: {job.ScheduleText}{state}");
                if (job.Schedule.Kind == ScheduleKind.Startup)
                {
                    Console.WriteLine("  at start-up");
                    continue;
                }

                var next = now;
                for (var i = 0; i < 5; i++)
                {
                    if (job.Schedule.GetNextOccurrence(next) is not { } occurrence)
                    {
                        Console.WriteLine(i == 0 ? "  no further runs" : "  (no more runs)");
                        break;
                    }

                    Console.WriteLine($"  {occurrence.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}");
                    next = occurrence;
                }
            }

            var errors = source.Errors;
            foreach (var error in errors)
            {
                Console.Error.WriteLine($"invalid: {error}");
            }

            Console.WriteLine(errors.Count == 0
                ? $"OK: {source.JobIds.Count} job(s), no errors"
                : $"INVALID: {errors.Count} error(s), {source.JobIds.Count} valid job(s)");
            return errors.Count == 0 ? 0 : 1;
        }
    }
}

static async Task<int> RunAsync(ServiceOptions options)
{
    var time = TimeProvider.System;
    using var loggerFactory = new ConsoleLoggerFactory(options.LogLevel, time, Console.Out);
    var logger = loggerFactory.CreateLogger("ChronoFlow.Service");
    var sourceOptions = SourceOptions(options, watch: true);
    var schedulerOptions = new SchedulerOptions
    {
        Mode = SchedulerMode.Hard,

        // On stop, running commands are told to stop at once (SIGTERM, then SIGKILL after the grace period),
        // as cron's own shutdown does, rather than waited for.
        ShutdownTimeout = TimeSpan.Zero,

        // Jobs with a "lock" key run in one process at a time on this machine.
        LockProvider = new FileJobLockProvider(Path.Combine(Path.GetTempPath(), "chronoflow-locks-" + Environment.UserName)),
    };

    using var stop = new CancellationTokenSource();
    var signal = "a stop request";
    void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        signal = context.Signal.ToString();
        stop.Cancel();
    }

    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    using var sigquit = PosixSignalRegistration.Create(PosixSignal.SIGQUIT, OnSignal);

    var scheduler = new JobScheduler(schedulerOptions, time, loggerFactory);
    await using (scheduler.ConfigureAwait(false))
    {
        var source = new JobFileSource(scheduler, sourceOptions, loggerFactory, time);
        await using (source.ConfigureAwait(false))
        {
            // Every definition is loaded before the first run.
            await source.StartAsync(stop.Token).ConfigureAwait(false);
            await scheduler.StartAsync(stop.Token).ConfigureAwait(false);
            ServiceLog.Started(logger, options.JobsDirectory, options.Crontabs.Count, source.JobIds.Count);
            LogStatus(logger, scheduler);

            using var statusTimer = new PeriodicTimer(TimeSpan.FromSeconds(60), time);
            try
            {
                while (await statusTimer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
                {
                    LogStatus(logger, scheduler);
                }
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM.
            }

            ServiceLog.Stopping(logger, signal, sourceOptions.CommandKillGracePeriod.TotalSeconds);
            await source.DisposeAsync().ConfigureAwait(false);
            await scheduler.StopAsync(CancellationToken.None).ConfigureAwait(false);
            LogStatus(logger, scheduler);
        }
    }

    ServiceLog.Stopped(logger);
    return 0;
}

static void LogStatus(ILogger logger, JobScheduler scheduler)
{
    var jobs = scheduler.GetJobs().OrderBy(static j => j.Id, StringComparer.Ordinal).ToList();
    ServiceLog.Status(logger, jobs.Count, jobs.Count(static j => j.LastOutcome is { } o && o != JobOutcome.Succeeded));
    foreach (var job in jobs)
    {
        var next = job.NextRun is { } n ? n.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : job.Schedule.Kind == ScheduleKind.Startup ? "at start-up only" : "none";
        var last = job.LastOutcome switch
        {
            null => "never run",
            JobOutcome.Succeeded => "SUCCESS",
            { } outcome => "FAILURE (" + outcome + ")",
        };
        ServiceLog.JobStatus(logger, job.Id, job.Status.ToString(), next, job.RunCount, job.FailureCount, last);
    }
}
