using ChronoFlow.Hosting;
using Xunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ChronoFlow.Testing;

/// <summary>Builds a real Generic Host on a fake clock, with in-memory configuration and no default sources.</summary>
public static class TestHost
{
    public static IHost Build(TestClock clock, Action<ChronoFlowBuilder> jobs, IDictionary<string, string?>? configuration = null, Action<IServiceCollection>? services = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.Services.AddSingleton<TimeProvider>(clock);
        jobs(builder.Services.AddChronoFlow(static o => o.ShutdownTimeout = TimeSpan.Zero));
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    public static Dictionary<string, string?> Config(params (string Key, string? Value)[] entries)
        => entries.ToDictionary(static e => e.Key, static e => e.Value, StringComparer.OrdinalIgnoreCase);
}

/// <summary>A scoped service that records its creation and disposal, to see scopes from the job's side.</summary>
public sealed class ScopeProbe : IAsyncDisposable
{
    private static int s_next;

    public int Id { get; } = Interlocked.Increment(ref s_next);

    public bool Disposed { get; private set; }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}

/// <summary>Shared record of what the DI jobs saw.</summary>
public sealed class JobLog
{
    private readonly List<(string JobId, int JobInstance, ScopeProbe Probe, DateTimeOffset Scheduled)> _runs = [];

    public IReadOnlyList<(string JobId, int JobInstance, ScopeProbe Probe, DateTimeOffset Scheduled)> Runs
    {
        get
        {
            lock (_runs)
            {
                return [.. _runs];
            }
        }
    }

    public void Add(string jobId, int jobInstance, ScopeProbe probe, DateTimeOffset scheduled)
    {
        lock (_runs)
        {
            _runs.Add((jobId, jobInstance, probe, scheduled));
        }
    }
}

/// <summary>A DI job with a scoped dependency and a singleton log.</summary>
public sealed class ProbeJob(ScopeProbe probe, JobLog log) : IJob
{
    private static int s_next;

    private readonly int _instance = Interlocked.Increment(ref s_next);

    public ValueTask ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        Assert.False(probe.Disposed, "the scope was disposed before the run ended");
        log.Add(context.JobId, _instance, probe, context.ScheduledTime);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A DI job that always fails.</summary>
public sealed class FailingJob : IJob
{
    public ValueTask ExecuteAsync(JobContext context, CancellationToken cancellationToken) => throw new InvalidOperationException("broken on purpose");
}
