using System.Globalization;
using Microsoft.Extensions.Logging;
using Npgsql;
using Quartz;

namespace ChronoFlow.ClusterBench;

/// <summary>What a node process is told on its command line.</summary>
/// <param name="TransactionPooling">ChronoFlow: <see cref="PostgreSqlJobStoreOptions.TransactionPooling"/>, which turns LISTEN/NOTIFY off.</param>
/// <param name="OnceJobs">ChronoFlow: one-time jobs <c>once-PREFIX-NNNNNN</c>, all due at <paramref name="OnceAtTicks"/> (UTC ticks), each running <paramref name="SleepSeconds"/> (the failover scenario).</param>
internal sealed record NodeArgs(
    string ConnectionString, string Schema, string Node, int HotJobs, int ColdJobs, bool ScheduleJobs, int Threads,
    bool TransactionPooling = false, int OnceJobs = 0, string OncePrefix = "", long OnceAtTicks = 0, int SleepSeconds = 0)
{
    public static NodeArgs Parse(Dictionary<string, string> a) => new(
        a["connection"],
        a["schema"],
        a["node"],
        int.Parse(a.GetValueOrDefault("hot", "0"), CultureInfo.InvariantCulture),
        int.Parse(a.GetValueOrDefault("cold", "0"), CultureInfo.InvariantCulture),
        a.GetValueOrDefault("schedule", "false") == "true",
        int.Parse(a.GetValueOrDefault("threads", "64"), CultureInfo.InvariantCulture),
        a.GetValueOrDefault("transaction-pooling", "false") == "true",
        int.Parse(a.GetValueOrDefault("once", "0"), CultureInfo.InvariantCulture),
        a.GetValueOrDefault("once-prefix", ""),
        long.Parse(a.GetValueOrDefault("once-at", "0"), CultureInfo.InvariantCulture),
        int.Parse(a.GetValueOrDefault("sleep", "0"), CultureInfo.InvariantCulture));
}

/// <summary>
/// The node side of the orchestrator's protocol, on standard input and output, one line each: the node prints
/// <c>ready</c> once it runs; <c>snap</c> asks for its counters; <c>stop</c>, or the end of standard input (the
/// orchestrator is gone, however it died), stops it.
/// </summary>
internal static class NodeLoop
{
    private static readonly Lock s_out = new();

    public static void Say(string line)
    {
        lock (s_out)
        {
            Console.Out.WriteLine(line);
            Console.Out.Flush();
        }
    }

    public static async Task RunAsync(Probe probe, Func<string> extra)
    {
        Say("ready");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            switch (line.Trim())
            {
                case "snap":
                    Say(probe.Snapshot(extra()));
                    break;
                case "stop":
                    return;
            }
        }
    }

    /// <summary>
    /// Errors, one line each, to standard error (standard output is the protocol). Not warnings: a saturated node
    /// warns of every occurrence it skips, thousands a second, and the logging would be part of the measurement.
    /// <c>CLUSTER_NODE_LOG=Information</c> (a <see cref="LogLevel"/>) asks for more, to see what a node did; not for a
    /// run whose numbers count.
    /// </summary>
    public static ILoggerFactory Logging() => LoggerFactory.Create(b => b
        .SetMinimumLevel(Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("CLUSTER_NODE_LOG"), out var level) ? level : LogLevel.Error)
        .AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        })
        .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
}

/// <summary>
/// A ChronoFlow node: a hard-mode <see cref="JobScheduler"/> on the PostgreSQL store, <c>hot</c> jobs on
/// <c>* * * * * *</c> (every second, the same occurrence times in every process) and <c>cold</c> jobs on
/// <c>0 0 0 1 1 *</c> (once a year: stored, scheduled, not due). Every body only counts itself.
/// </summary>
internal static class ChronoFlowNode
{
    public static async Task<int> RunAsync(NodeArgs a)
    {
        using var logging = NodeLoop.Logging();
        await using var store = new PostgreSqlJobStore(new PostgreSqlJobStoreOptions
        {
            ConnectionString = a.ConnectionString,
            Schema = a.Schema,

            // Retention would run once at the first write (then every 5 minutes), in the middle of a warm-up: off, so
            // every scenario measures the same thing. Its cost is not part of these numbers.
            RetentionInterval = Timeout.InfiniteTimeSpan,

            // On for the scenario that measures the scheduler without LISTEN/NOTIFY (cf-1node-1k-nonotify).
            TransactionPooling = a.TransactionPooling,
        });
        var options = new SchedulerOptions { Mode = SchedulerMode.Hard, Store = store, NodeName = a.Node, MaxConcurrentRuns = a.Threads };
        // The nodes divide the jobs (SchedulerOptions.PeerClaimDelay, 1 s by default). For an experiment,
        // CLUSTER_PEER_CLAIM_DELAY=00:00:00 turns the division off, so that every node races for every claim.
        if (TimeSpan.TryParse(Environment.GetEnvironmentVariable("CLUSTER_PEER_CLAIM_DELAY"), CultureInfo.InvariantCulture, out var peerDelay))
        {
            options.PeerClaimDelay = peerDelay;
        }

        if (a.OnceJobs > 0)
        {
            // The failover scenario stops the surviving node while its reruns still sleep: cancel them at once (their
            // rows then say when each body really started) rather than wait the default 30 s.
            options.ShutdownTimeout = TimeSpan.Zero;
        }

        var scheduler = new JobScheduler(options, TimeProvider.System, logging);
        var probe = new Probe();
        ValueTask Body(JobContext context, CancellationToken cancellationToken)
        {
            probe.Record(context.ScheduledTime, context.StartedTime);
            return default;
        }

        var hot = Schedule.Cron("* * * * * *");
        var cold = Schedule.Cron("0 0 0 1 1 *");
        for (var i = 0; i < a.HotJobs; i++)
        {
            scheduler.AddOrUpdate(JobIds.Hot(i), hot, Body);
        }

        for (var i = 0; i < a.ColdJobs; i++)
        {
            scheduler.AddOrUpdate(JobIds.Cold(i), cold, Body);
        }

        // One-time jobs whose runs last (the failover scenario): RecoverAbandoned is left at its default, which for a
        // one-time job is to run an abandoned run again.
        var once = Schedule.Once(new DateTimeOffset(a.OnceAtTicks, TimeSpan.Zero));
        async ValueTask Long(JobContext context, CancellationToken cancellationToken)
        {
            probe.Record(context.ScheduledTime, context.StartedTime);
            await Task.Delay(TimeSpan.FromSeconds(a.SleepSeconds), cancellationToken);
        }

        for (var i = 0; i < a.OnceJobs; i++)
        {
            scheduler.AddOrUpdate(JobIds.Once(a.OncePrefix, i), once, Long);
        }

        await scheduler.StartAsync();
        await NodeLoop.RunAsync(probe, () =>
        {
            var s = scheduler.GetStatus();
            return string.Create(
                CultureInfo.InvariantCulture,
                $"succeeded={s.SucceededCount} skipped={s.SkippedCount} misfired={s.MisfiredCount} queue={s.QueueLength} running={s.RunningCount} storeError={(s.StoreError is null ? 0 : 1)}");
        });
        await scheduler.StopAsync();
        await scheduler.DisposeAsync();
        NodeLoop.Say(probe.Snapshot("final=1"));
        return 0;
    }
}

/// <summary>The job ids every node and the orchestrator agree on.</summary>
internal static class JobIds
{
    public static string Hot(int i) => "hot-" + i.ToString("D6", CultureInfo.InvariantCulture);

    public static string Cold(int i) => "cold-" + i.ToString("D6", CultureInfo.InvariantCulture);

    public static string Once(string prefix, int i) => "once-" + prefix + "-" + i.ToString("D6", CultureInfo.InvariantCulture);
}

/// <summary>
/// A Quartz.NET 4.7.3 node: a clustered AdoJobStore on the same PostgreSQL (Quartz's own tables, created by the first
/// node from the script in Quartz's assembly, in a schema of their own), System.Text.Json serializer, a pool of <c>threads</c> (64, ChronoFlow's default MaxConcurrentRuns), every other
/// setting Quartz's default (MaxBatchSize automatic = the pool's size; lock-free firing rounds on). The node started
/// with <c>schedule=true</c> stores <c>hot</c> durable jobs, each with a cron trigger <c>* * * * * ?</c>, before it
/// starts; the others only join the cluster.
/// </summary>
internal static class QuartzNode
{
    public static readonly Probe Probe = new();

    public static async Task<int> RunAsync(NodeArgs a)
    {
        using var logging = NodeLoop.Logging();
        Quartz.Diagnostics.LogProvider.SetLogProvider(logging);
        var connection = new NpgsqlConnectionStringBuilder(a.ConnectionString) { SearchPath = a.Schema }.ConnectionString;
        var scheduler = await QuartzSchedulerBuilder.Create(q =>
        {
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "ClusterBench";
                o.InstanceId = a.Node;
            });
            q.UseDefaultThreadPool(a.Threads);
            q.UsePersistentStore(s =>
            {
                s.UsePostgres(NpgsqlFactory.Instance, connection);
                s.UseClustering();
                s.UseSystemTextJsonSerializer();
                if (a.ScheduleJobs)
                {
                    // The first node creates Quartz's tables, from the script 4.7.3 ships in its assembly.
                    s.ProvisionSchema();
                }
            });
        }).BuildScheduler();

        if (a.ScheduleJobs)
        {
            var jobs = new Dictionary<IJobDetail, IReadOnlyCollection<ITrigger>>(a.HotJobs);
            for (var i = 0; i < a.HotJobs; i++)
            {
                var job = JobBuilder.Create<QuartzBenchJob>().WithIdentity(JobIds.Hot(i)).StoreDurably().Build();
                var trigger = TriggerBuilder.Create().WithIdentity(JobIds.Hot(i)).ForJob(job).WithCronSchedule("* * * * * ?").StartNow().Build();
                jobs[job] = [trigger];
            }

            await scheduler.ScheduleJobs(jobs, ScheduleJobOptions.Replacing);
        }

        await scheduler.Start();
        await NodeLoop.RunAsync(Probe, () => "");
        await scheduler.Shutdown(waitForJobsToComplete: true);
        NodeLoop.Say(Probe.Snapshot("final=1"));
        return 0;
    }
}

/// <summary>The Quartz node's trivial job: counts itself and how late it fired. Public: Quartz creates it by its type name.</summary>
public sealed class QuartzBenchJob : Quartz.IJob
{
    /// <inheritdoc/>
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        QuartzNode.Probe.Record(context.ScheduledFireTimeUtc ?? context.FireTimeUtc, context.FireTimeUtc);
        return default;
    }
}
