using Microsoft.Extensions.Logging;

namespace ChronoFlow.Service;

/// <summary><c>--check</c>: load every file once, as it is now, print every problem and each job's next five runs.</summary>
internal static class CheckCommand
{
    /// <returns>0 when everything is valid, 1 otherwise.</returns>
    public static async Task<int> RunAsync(ServiceOptions options)
    {
        var time = TimeProvider.System;

        // Every definition error is printed once, below, from source.Errors (which lists all of them); the log would
        // print each a second time, so its DefinitionError (400) and DefinitionFileError (409) events are hidden here.
        // Warnings are not in source.Errors: they still come through the log.
        using var loggerFactory = LoggerFactory.Create(b => b
            .AddProvider(new ConsoleLogProvider(ConsoleLogFormat.Plain, time, Console.Out, stackTraces: false, static e => e.Id is 400 or 409))
            .SetMinimumLevel(LogLevel.Warning));
        var scheduler = new JobScheduler(new SchedulerOptions { Mode = SchedulerMode.Soft }, time);
        await using (scheduler.ConfigureAwait(false))
        {
            // No watching, so no settle time either: a file written a moment ago is read as it is (JobFileSource).
            var sourceOptions = ServiceHost.CreateSourceOptions(options);
            sourceOptions.Watch = false;
            var source = new JobFileSource(scheduler, sourceOptions, loggerFactory, time);
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

                        Console.WriteLine($"  {IsoTime.Format(occurrence)}");
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
}
