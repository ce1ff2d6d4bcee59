// ChronoFlow in hard mode: the scheduler runs its jobs on a timer of its own inside a Generic Host. Ctrl+C (or SIGTERM)
// stops the host, which lets running jobs finish before the process exits with code 0.
//
//   dotnet run --project samples/ChronoFlow.Samples.Console
using ChronoFlow;
using ChronoFlow.Samples.ConsoleApp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var builder = Host.CreateApplicationBuilder(args);

builder.Logging.AddSimpleConsole(static console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "HH:mm:ss.fff ";
});

// The scheduler logs each run's outcome and duration at Information, and the jobs below print a line of their own, so
// keep only its warnings and errors. Remove this filter to see both.
builder.Logging.AddFilter("ChronoFlow.JobScheduler", LogLevel.Warning);

builder.Services.AddSingleton<RunLog>();

// Scoped: each run of a DI job gets its own instance, disposed when the run ends.
builder.Services.AddScoped<ReportContext>();

var startedAt = TimeProvider.System.GetUtcNow();

builder.Services.AddChronoFlow() // Hard mode is the default.
    // A DI job on a cron expression with a seconds field: every five seconds. ReportJob and the scoped ReportContext
    // it takes are resolved from a new scope for each run.
    .AddJob<ReportJob>("report", "*/5 * * * * *", static job => job.Timeout = TimeSpan.FromSeconds(10))
    // An interval, counted from when the scheduler takes the job; the delegate gets the run's scoped services.
    .AddJob("cleanup", Schedule.Every(TimeSpan.FromSeconds(20)), static (services, context, _) =>
    {
        services.GetRequiredService<RunLog>().Ran(context, "interval");
        return ValueTask.CompletedTask;
    })
    // Once, a few seconds after start.
    .AddJob("welcome", Schedule.Once(startedAt.AddSeconds(3)), static (services, context, _) =>
    {
        services.GetRequiredService<RunLog>().Ran(context, "one-time");
        return ValueTask.CompletedTask;
    })
    // Once, as soon as the host has started.
    .AddJob("warm-up", Schedule.Startup, static (services, context, _) =>
    {
        services.GetRequiredService<RunLog>().Ran(context, "startup");
        return ValueTask.CompletedTask;
    });

using var host = builder.Build();
Console.WriteLine("ChronoFlow console sample: four jobs in hard mode. Press Ctrl+C to stop.");
await host.RunAsync();
