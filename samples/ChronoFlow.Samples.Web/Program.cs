// ChronoFlow in soft mode inside an ASP.NET Core minimal API: no scheduler thread of its own; every request pumps the
// scheduler once (app.UseChronoFlow()), and a fallback timer pumps every 30 s when there is no traffic. The jobs and
// their schedules are in appsettings.json ("ChronoFlow" section); the ChronoFlow dashboard at /chronoflow shows them
// and runs, pauses and resumes them (its JSON API is under /chronoflow/api), and /health reports the scheduler.
//
//   dotnet run --project samples/ChronoFlow.Samples.Web
//   then open http://127.0.0.1:5080/chronoflow/ or: curl http://127.0.0.1:5080/chronoflow/api/jobs
//
// The dashboard answers loopback requests only, since the sample requires no authorization for it; a real app puts
// .RequireAuthorization("policy") on MapChronoFlowDashboard() to open it to other machines.
//
// Telemetry: the "ChronoFlow" meter goes to the OpenTelemetry console exporter once a minute. A Prometheus /metrics
// endpoint would be the usual choice for a web app, but OpenTelemetry's ASP.NET Core Prometheus exporter is still a
// beta package, and a sample should build on stable packages only; swap the exporter when it ships stable.
using ChronoFlow;
using ChronoFlow.Hosting;
using ChronoFlow.Samples.Web;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

// Content root at the app's own folder, so appsettings.json is found whatever the working directory.
var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

// Loopback only, on port 5080, unless ASPNETCORE_URLS, --urls, HTTP_PORTS or Kestrel endpoints say otherwise.
if (string.IsNullOrEmpty(builder.Configuration["urls"])
    && string.IsNullOrEmpty(builder.Configuration["http_ports"])
    && string.IsNullOrEmpty(builder.Configuration["https_ports"])
    && !builder.Configuration.GetSection("Kestrel:Endpoints").Exists())
{
    builder.WebHost.UseUrls("http://127.0.0.1:5080");
}

// Soft mode, the fallback interval and the jobs' schedules come from the "ChronoFlow" section of appsettings.json.
// An in-memory store keeps each job's run history (and the output tail) for the dashboard while the app runs.
builder.Services.AddSingleton<IJobStore, InMemoryJobStore>();
builder.Services.AddChronoFlow()
    .AddJob<DigestJob>("digest")
    .AddJob<CacheRefreshJob>("cache-refresh");

builder.Services.AddChronoFlowDashboard(static dashboard => dashboard.Title = "ChronoFlow sample");
builder.Services.AddHealthChecks().AddCheck<ChronoFlowHealthCheck>("chronoflow");

var telemetry = builder.Services.AddOpenTelemetry()
    .ConfigureResource(static resource => resource.AddService("ChronoFlow.Samples.Web"))
    .WithMetrics(metrics => metrics
        .AddMeter("ChronoFlow")
        .AddConsoleExporter((_, reader) => reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds =
            (int)builder.Configuration.GetValue("Telemetry:MetricsExportInterval", TimeSpan.FromMinutes(1)).TotalMilliseconds));

// One trace per run; printed to the console it is a block of lines per run, so it is off unless asked for.
if (builder.Configuration.GetValue<bool>("Telemetry:ConsoleTraces"))
{
    telemetry.WithTracing(static tracing => tracing.AddSource("ChronoFlow").AddConsoleExporter());
}

var app = builder.Build();

// Early, before anything that might end a request, so that every request pumps.
app.UseChronoFlow();

app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync });
app.MapChronoFlowDashboard();

app.Run();
